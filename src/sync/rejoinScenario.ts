import type * as Y from 'yjs'
import { toHex } from '../core/bytes.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { Rng } from '../core/sim/rng.ts'
import { encodeBase, type PrunedBase } from '../core/snapshot/base.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { ChannelDoc } from './channelDoc.ts'
import { PeerBases } from './peerBases.ts'
import { DocNet, seededDoc, settle as settleNet } from './testing.ts'

/**
 * Test support for catching up from a peer's base (issue #8; rejoin.test.ts and src/store/rejoin.test.ts): three
 * participants over a DocNet, two of which trade and prune while the third is offline.
 */
// three participants, q = 2: two of them go on (and prune) while the third is offline
export const tc = makeTestChannel({ participants: 3, label: 'sync-rejoin', threshold: 2 })
const deposits = testDeposits(3, 2, 1_000_000n)
export const D = 3
export type Peer = { index: number; doc: Y.Doc; replica: Replica; cd: ChannelDoc; bases: PeerBases }
let clock = 0
/** the scenario's clock (ms) */
export const now = () => clock

export const make = (index: number) => () =>
  new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    deposits,
    leaderWaitMs: 0,
    refDepth: D,
    lateSlack: D,
    checkpointIntervalMs: 1000,
  })

export function peer(index: number, net: DocNet, ids: Rng): Peer {
  const doc = seededDoc(ids)
  const replica = make(index)()
  net.add(doc)
  return {
    index,
    doc,
    replica,
    cd: new ChannelDoc({ doc, replica, ownAuthor: index }),
    bases: new PeerBases({ doc, channel: tc.channel, me: index }),
  }
}

/** Online peers seal what they can and the net delivers, until nobody seals (the clock 50 ms on per pass). */
export function settle(peers: Peer[], net: DocNet): void {
  settleNet(peers, net, () => (clock += 50))
}

export const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })
export const root = (p: Peer) => toHex(p.replica.stateRoot())

/** What the browser runtime and the agent do once they see the lag: a fresh replica from the base, the doc's tail. */
export function restart(p: Peer, replica: Replica): void {
  p.cd.destroy()
  p.replica = replica
  p.cd = new ChannelDoc({ doc: p.doc, replica, ownAuthor: p.index })
  p.cd.flush()
}

/**
 * Participants 0 and 1 trade and prune (publishing each base through the doc, as the Pruner does) for `rounds`
 * rounds while participant 2 is offline; returns the bases 1 published, oldest first.
 */
export function scenario(seed: number, offline: 'returning' | 'new device') {
  const net = new DocNet({ seed })
  const ids = new Rng(0x5eed + seed)
  const peers = [0, 1, 2].map((i) => peer(i, net, ids))
  const [a, b, c] = peers as [Peer, Peer, Peer]
  for (let i = 0; i < 4; i++) {
    peers[i % 3]!.replica.submit(transfer((i + 1) % 3, BigInt(i + 1)), clock)
    settle(peers, net)
  }
  net.isolate(c.doc)
  const published: PrunedBase[] = []
  for (let k = 0; k < 12; k++) {
    a.replica.submit(transfer(1, 10n), clock)
    b.replica.submit(transfer(0, 3n), clock)
    clock += 1000
    settle([a, b], net)
    for (const p of [a, b]) {
      const base = p.replica.prune()
      if (!base) continue
      p.cd.dropPruned()
      p.bases.publish(encodeBase(base))
      if (p === b) published.push(base)
    }
    settle([a, b], net)
  }
  if (a.replica.prunedVersion <= 3n) throw new Error('scenario: fewer prunings than expected')
  // the floor passed everything the offline participant holds by more than D rounds
  if (a.replica.base()!.floor! <= c.replica.dag.maxRound + D) throw new Error('scenario: floor not past C')
  if (offline === 'new device') {
    // a fresh browser profile: nothing local, an empty doc
    net.remove(c.doc)
    c.cd.destroy()
    c.bases.destroy()
    const fresh = peer(2, net, ids)
    peers[2] = fresh
    return { net, peers, a, b, c: fresh, published }
  }
  net.heal()
  net.flush()
  return { net, peers, a, b, c, published }
}
