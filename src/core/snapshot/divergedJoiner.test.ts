import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { checkpointDigest } from '../checkpoint.ts'
import { OpTag } from '../ops.ts'
import { Replica } from '../replica.ts'
import { encodeBase, type PrunedBase } from './base.ts'
import { late, lateBlockChannel } from './lateBlock.fixture.ts'
import { restoreOffered } from './offeredBase.ts'

const { channel, options, traffic } = late

const joinerFrom = (base: PrunedBase) => {
  const { author: _, ...joiner } = options(0)
  return restoreOffered(channel, () => new Replica(channel, joiner), encodeBase(base))
}

describe('a joiner restored from a base that flags a late block expired (issue #7/#8 residual)', () => {
  it('is taken, diverges once the late block is committed, and the joiner can tell from the quorum’s signatures', () => {
    const { net, rng, clock, forged, tail } = lateBlockChannel()
    const v = joinerFrom(forged)
    expect(v.ok).toBe(true)
    if (!v.ok) return
    v.replica.receiveMany(tail())
    expect(toHex(v.replica.stateRoot())).not.toBe(toHex(net[1]!.stateRoot()))
    // the channel checkpoints again: q signatures on a digest the joiner did not compute
    net[0]!.submit({ tag: OpTag.CheckpointRequest })
    traffic(net, rng, 60, clock)
    v.replica.receiveMany(tail())
    const d = v.replica.divergence()
    expect(d).toBeDefined()
    expect(d!.signers).toBeGreaterThanOrEqual(channel.config.threshold)
    // the digest q participants signed is the channel's, at a version past the forged base
    expect(d!.version).toBeGreaterThan(forged.version)
    expect(d!.digest).toBe(net[1]!.checkpoint(d!.version)!.digest)
    expect(v.replica.checkpoint(d!.version)!.digest).not.toBe(d!.digest)
    // nobody else sees one: every honest replica computed what the quorum signed
    for (const r of net) expect(r.divergence()).toBeUndefined()
  })

  it('the honest base of the same version leads the joiner to the channel’s state, with no divergence', () => {
    const { net, rng, clock, honest, tail } = lateBlockChannel()
    const v = joinerFrom(honest)
    expect(v.ok).toBe(true)
    if (!v.ok) return
    net[0]!.submit({ tag: OpTag.CheckpointRequest })
    traffic(net, rng, 60, clock)
    v.replica.receiveMany(tail())
    expect(toHex(v.replica.stateRoot())).toBe(toHex(net[1]!.stateRoot()))
    expect(v.replica.divergence()).toBeUndefined()
  })

  it('is reported at the q-th contradicting signature, not before (a Byzantine minority cannot fake one)', () => {
    const { net, rng, clock, forged, tail } = lateBlockChannel()
    const v = joinerFrom(forged)
    if (!v.ok) throw new Error(v.reason)
    net[0]!.submit({ tag: OpTag.CheckpointRequest })
    traffic(net, rng, 60, clock)
    const q = channel.config.threshold
    // the most authors that signed one digest other than the joiner's at one version, from its conflict records
    const most = () => {
      const tally = new Map<string, Set<number>>()
      for (const c of v.replica.checkpointConflicts) {
        if (c.b) continue
        const digest = toHex(checkpointDigest(channel.domainSeparator, channel.channelId, c.a.checkpoint))
        if (digest === v.replica.checkpoint(c.version)?.digest) continue
        const key = `${c.version}:${digest}`
        tally.set(key, (tally.get(key) ?? new Set()).add(c.author))
      }
      return Math.max(0, ...[...tally.values()].map((x) => x.size))
    }
    let reportedAt = -1
    const blocks = tail()
    for (let i = 0; i < blocks.length; i++) {
      v.replica.receive(blocks[i]!)
      const n = most()
      if (n < q) expect(v.replica.divergence(), `block ${i}: ${n} signers`).toBeUndefined()
      else {
        expect(v.replica.divergence(), `block ${i}`).toBeDefined()
        if (reportedAt < 0) reportedAt = i
      }
    }
    expect(reportedAt).toBeGreaterThanOrEqual(0)
  })
})
