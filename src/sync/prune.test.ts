import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { type Hex, toHex } from '../core/bytes.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { Rng } from '../core/sim/rng.ts'
import { decodeBase, encodeBase } from '../core/snapshot/base.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { CatchUp, decodeCatchUp, encodeWant } from './catchUp.ts'
import { BLOCKS_MAP, ChannelDoc } from './channelDoc.ts'
import { DocNet, seededDoc, settle as settleNet } from './testing.ts'

const tc = makeTestChannel({ participants: 3, label: 'sync-prune', threshold: 2 })
const deposits = testDeposits(3, 2, 1_000_000n)
type Peer = { doc: Y.Doc; replica: Replica; cd: ChannelDoc; cu: CatchUp }
let clock = 0

function peer(index: number, net: DocNet, ids: Rng, restoreFrom?: Uint8Array, refDepth?: number): Peer {
  const doc = seededDoc(ids)
  const replica = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    deposits,
    leaderWaitMs: 0,
    ...(refDepth === undefined ? {} : { refDepth, lateSlack: refDepth }),
  })
  if (restoreFrom) replica.restore(decodeBase(restoreFrom))
  const cd = new ChannelDoc({ doc, replica, ownAuthor: index })
  net.add(doc)
  return { doc, replica, cd, cu: new CatchUp({ channelDoc: cd }) }
}

/** Every peer seals what it can and the net delivers, until nobody seals (persist before publish is not modelled). */
const settle = (peers: Peer[], net: DocNet) => settleNet(peers, net, () => ++clock)

const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })
const keys = (doc: Y.Doc) => [...doc.getMap(BLOCKS_MAP).keys()]

function history(peers: Peer[], net: DocNet): void {
  for (let i = 0; i < 6; i++) {
    peers[i % 2]!.replica.submit(transfer((i % 2) + 1, BigInt(i + 1)), clock)
    settle(peers, net)
  }
  peers[0]!.replica.submit({ tag: OpTag.CheckpointRequest }, clock)
  settle(peers, net)
  for (const p of peers) expect(p.replica.latestCertified()).toBeDefined()
}

describe('pruning through the shared doc', () => {
  it('the pruning peer drops its pruned blocks from the doc; peers that know the checkpoint do not put them back', () => {
    const net = new DocNet({ seed: 3 })
    const ids = new Rng(0x5eed)
    const peers = [0, 1, 2].map((i) => peer(i, net, ids))
    history(peers, net)
    const [a, b] = [peers[0]!, peers[1]!]
    const before = keys(b.doc).length
    const base = a.replica.prune()
    expect(base).toBeDefined()
    const dropped = a.cd.dropPruned()
    expect(dropped).toBe(base!.position)
    net.flush()
    expect(keys(a.doc).length).toBe(before - dropped)
    expect(keys(b.doc).length).toBe(before - dropped)
    expect(b.cd.stats.repaired).toBe(0)
    // the channel goes on: new blocks cite pruned ones and still validate at the pruning peer
    b.replica.submit(transfer(0, 5n), clock)
    settle(peers, net)
    for (const p of peers) expect(toHex(p.replica.stateRoot())).toBe(toHex(b.replica.stateRoot()))
    expect(a.replica.state.holdings(0, 0)).toBe(b.replica.state.holdings(0, 0))
  })

  it('reload after pruning: base from storage + the doc’s remaining entries give the state before', () => {
    const net = new DocNet({ seed: 4 })
    const ids = new Rng(0x5eed)
    const peers = [0, 1, 2].map((i) => peer(i, net, ids))
    history(peers, net)
    const a = peers[0]!
    const stored = encodeBase(a.replica.prune()!)
    a.cd.dropPruned()
    net.flush()
    const root = toHex(a.replica.stateRoot())
    const finalIds = a.replica.finalIds()
    // a reload: a new replica from the stored base, fed by a doc synced with the others (y-indexeddb's role)
    net.remove(a.doc)
    const again = peer(0, net, ids, stored)
    net.flush()
    expect(toHex(again.replica.stateRoot())).toBe(root)
    expect(again.replica.finalIds()).toEqual(finalIds)
    expect(again.replica.bufferedCount).toBe(0)
    // and it authors on from there
    again.replica.submit(transfer(2, 7n), clock)
    settle([again, peers[1]!, peers[2]!], net)
    expect(toHex(again.replica.stateRoot())).toBe(toHex(peers[2]!.replica.stateRoot()))
  })

  it('a peer asked for a block it pruned answers so; the asker stops asking for it', () => {
    const net = new DocNet({ seed: 5 })
    const ids = new Rng(0x5eed)
    const peers = [0, 1, 2].map((i) => peer(i, net, ids))
    history(peers, net)
    const a = peers[0]!
    a.replica.prune()
    const prunedId = [...a.replica.nodes.values()].find((n) => n.pruned)!.hex
    const reply = a.cu.handle(encodeWant([prunedId])).reply
    expect(reply).toBeDefined()
    expect(decodeCatchUp(reply!)).toEqual({ kind: 'pruned', ids: [prunedId] })
    // a newcomer without history hinted at that id asks for it once, then no more after the answer
    const lone = new DocNet({ seed: 6 })
    const fresh = peer(2, lone, ids)
    fresh.cd.want([prunedId as Hex])
    expect(fresh.cd.wants()).toContain(prunedId)
    fresh.cu.handle(reply!)
    expect(fresh.cd.stats.prunedAtPeers).toBe(1)
    expect(fresh.cd.wants()).not.toContain(prunedId)
  })

  it('a first pruning after a long history drops every entry below the floor too, not only the stubs it keeps', () => {
    // with D = 3 most pruned blocks are forgotten (not even a stub) in the pruning that prunes them
    const net = new DocNet({ seed: 7 })
    const ids = new Rng(0x5eed)
    const peers = [0, 1, 2].map((i) => peer(i, net, ids, undefined, 3))
    for (let k = 0; k < 4; k++) history(peers, net)
    const a = peers[0]!
    expect(a.replica.prune()).toBeDefined()
    a.cd.dropPruned()
    net.flush()
    const held = keys(peers[1]!.doc).filter(
      (k) => !a.replica.nodes.get(k as Hex) || a.replica.nodes.get(k as Hex)!.pruned,
    )
    expect(held).toEqual([])
  })
})
