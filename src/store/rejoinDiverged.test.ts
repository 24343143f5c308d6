import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { toHex } from '../core/bytes.ts'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { encodeBase } from '../core/snapshot/base.ts'
import { late, lateBlockChannel } from '../core/snapshot/lateBlock.fixture.ts'
import { restoreOffered } from '../core/snapshot/offeredBase.ts'
import { BASES_MAP, PeerBases } from '../sync/peerBases.ts'
import { Rejoiner } from './rejoin.ts'

const { channel, options, traffic } = late
const make = () => {
  const { author: _, ...joiner } = options(0)
  return new Replica(channel, joiner)
}

/**
 * Participant 0 on a new device: participant 1 (Byzantine) offers a base that verifies but flags a late block
 * expired, participant 2 the honest base of the same version. Taken from 1, the replica diverges once the late block
 * is committed (core/snapshot/divergedJoiner.test.ts); the Rejoiner must see it and go on from 2's base.
 */
function divergedJoiner(offerHonest: boolean) {
  const { net, rng, clock, honest, forged, tail } = lateBlockChannel()
  const doc = new Y.Doc()
  const map = doc.getMap(BASES_MAP)
  map.set('1', encodeBase(forged))
  if (offerHonest) map.set('2', encodeBase(honest))
  const bases = new PeerBases({ doc, channel, me: 0 })
  // what the runtime did first: the newest base that verifies (both do, at one version) — here 1's
  const first = bases.best(make, 0n)
  expect(first.ok).toBe(true)
  const v = restoreOffered(channel, make, encodeBase(forged))
  if (!v.ok) throw new Error(v.reason)
  const replica = v.replica
  net[0]!.submit({ tag: OpTag.CheckpointRequest })
  traffic(net, rng, 60, clock)
  replica.receiveMany(tail())
  expect(replica.divergence()).toBeDefined()
  const holds = { open: 0 }
  const rejoiner = new Rejoiner({
    bases,
    replica,
    make,
    hold: () => {
      holds.open++
      return () => holds.open--
    },
    restoredFrom: { from: 1, version: forged.version },
  })
  return { net, tail, rejoiner, holds, honest }
}

describe('Rejoiner: a replica a peer’s base made diverge restores from another base', () => {
  it('distrusts the base it came from and restarts from the honest one of the same version: the channel’s state', () => {
    const { net, tail, rejoiner, holds, honest } = divergedJoiner(true)
    const restart = rejoiner.check(0)
    expect(restart).toBeDefined()
    expect(rejoiner.status).toMatchObject({ phase: 'restoring', from: 2 })
    expect(restart!.base.version).toBe(honest.version)
    expect(holds.open).toBe(1)
    // the runtime's restart: a replica from that base, then the tail
    const again = make()
    again.restore(restart!.base)
    again.receiveMany(tail())
    expect(toHex(again.stateRoot())).toBe(toHex(net[1]!.stateRoot()))
    expect(again.divergence()).toBeUndefined()
    rejoiner.stop()
    expect(holds.open).toBe(0)
  })

  it('with no other base: held, and the reason names the checkpoint the quorum signed otherwise', () => {
    const { rejoiner, holds } = divergedJoiner(false)
    expect(rejoiner.check(0)).toBeUndefined()
    expect(holds.open).toBe(1)
    expect(rejoiner.status).toMatchObject({ phase: 'failed', diverged: true })
    if (rejoiner.status.phase === 'failed') {
      expect(rejoiner.status.reason).toMatch(/checkpoint \d+ differs from the one \d+ participants signed/)
      expect(rejoiner.status.reason).toMatch(/participant 2: its base left this replica/)
    }
  })
})
