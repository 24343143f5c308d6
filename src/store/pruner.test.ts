import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { decodeBlock } from '../core/block.ts'
import { toHex } from '../core/bytes.ts'
import { type Op, OpTag } from '../core/ops.ts'
import type { SettlementPhase } from '../core/phase.ts'
import { Replica } from '../core/replica.ts'
import { exitProofs } from '../core/roots.ts'
import { Rng } from '../core/sim/rng.ts'
import { decodeBase } from '../core/snapshot/base.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { BLOCKS_MAP, ChannelDoc } from '../sync/channelDoc.ts'
import type { PrunedBaseStoreHandle } from '../sync/ownBlocks.ts'
import { DocNet, seededDoc, settle as settleNet } from '../sync/testing.ts'
import { Pruner } from './pruner.ts'

const tc = makeTestChannel({ participants: 3, label: 'store-pruner', threshold: 2 })
const deposits = testDeposits(3, 2, 1_000_000n)
let clock = 0

/**
 * The own-block store's contract in memory (ownBlocks.ts keeps the same in IndexedDB, exercised by
 * e2e/prune.spec.ts): own blocks by seq, the base, and storeBase replacing both at once.
 */
class MemoryBaseStore implements PrunedBaseStoreHandle {
  base: Uint8Array | undefined
  readonly own = new Map<number, Uint8Array>()
  fail = false
  async loadBase() {
    return this.base
  }
  async storeBase(base: Uint8Array, dropThroughSeq: number) {
    if (this.fail) throw new Error('quota exceeded')
    this.base = base
    for (const seq of [...this.own.keys()]) if (seq <= dropThroughSeq) this.own.delete(seq)
  }
}

type Peer = { index: number; doc: Y.Doc; replica: Replica; cd: ChannelDoc; store: MemoryBaseStore }

function peer(index: number, net: DocNet, ids: Rng, store = new MemoryBaseStore()): Peer {
  const doc = seededDoc(ids)
  const replica = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    deposits,
    leaderWaitMs: 0,
  })
  if (store.base) replica.restore(decodeBase(store.base))
  const cd = new ChannelDoc({ doc, replica, ownAuthor: index })
  cd.ingestDurable([...store.own.values()])
  net.add(doc)
  return { index, doc, replica, cd, store }
}

/** Every peer seals what it can (kept in its store, then published: durable first) until nobody seals. */
function settle(peers: Peer[], net: DocNet): void {
  const durableFirst = (p: Peer) => ({
    replica: p.replica,
    cd: {
      publishOwn(b: Uint8Array) {
        p.store.own.set(Number(decodeBlock(b).seq), b)
        p.cd.publishOwn(b)
      },
    },
  })
  settleNet(peers.map(durableFirst), net, () => ++clock)
}

const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })

/** Transfers from every peer, then a checkpoint every peer signs (certified: q = 2 of 3). */
function history(peers: Peer[], net: DocNet, rounds = 6): void {
  for (let i = 0; i < rounds; i++) {
    peers[i % 3]!.replica.submit(transfer((i + 1) % 3, BigInt(i + 1)), clock)
    settle(peers, net)
  }
  peers[0]!.replica.submit({ tag: OpTag.CheckpointRequest }, clock)
  settle(peers, net)
}

function pruner(p: Peer, phase: { now: SettlementPhase }, minBlocks = 1): Pruner {
  return new Pruner({
    replica: p.replica,
    doc: p.cd,
    store: p.store,
    me: p.index,
    phase: () => phase.now,
    policy: { everyCheckpoints: 1, minBlocks },
  })
}

describe('Pruner: the writer tab’s pruning', () => {
  it('stores the base with the pruned own blocks gone, then drops the pruned entries from the doc', async () => {
    const net = new DocNet({ seed: 11 })
    const ids = new Rng(0x5eed)
    const peers = [0, 1, 2].map((i) => peer(i, net, ids))
    history(peers, net)
    const a = peers[0]!
    const phase = { now: 'open' as SettlementPhase }
    const entries = a.doc.getMap(BLOCKS_MAP).size
    const ownBefore = [...a.store.own.keys()]
    const report = await pruner(a, phase).check()
    expect(report).toBeDefined()
    expect(report!.position).toBe(a.replica.prunedCount)
    expect(report!.dropped).toBe(report!.position)
    expect(a.doc.getMap(BLOCKS_MAP).size).toBe(entries - report!.dropped)
    // exactly the own blocks that are now stubs left the store
    const prunedOwn = ownBefore.filter((seq) => a.replica.dag.bySeq[0]!.get(seq)?.[0]?.pruned)
    expect(prunedOwn.length).toBeGreaterThan(0)
    expect([...a.store.own.keys()]).toEqual(ownBefore.filter((s) => !prunedOwn.includes(s)))
    expect(decodeBase(a.store.base!).version).toBe(a.replica.prunedVersion)
  })

  it('prunes only while the channel is open on chain and when the policy’s block count is reached', async () => {
    const net = new DocNet({ seed: 12 })
    const ids = new Rng(0x5eed)
    const peers = [0, 1, 2].map((i) => peer(i, net, ids))
    history(peers, net)
    const a = peers[0]!
    const phase = { now: 'disputing' as SettlementPhase }
    const p = pruner(a, phase)
    expect(await p.check()).toBeUndefined()
    phase.now = 'unknown'
    expect(await p.check()).toBeUndefined()
    phase.now = 'open'
    expect(await pruner(a, phase, p.prunable() + 1).check()).toBeUndefined()
    expect(a.replica.prunedCount).toBe(0)
    expect(await p.check()).toBeDefined()
    // nothing newer certified: nothing more to do
    expect(await p.check()).toBeUndefined()
  })

  it('a base that cannot be stored leaves every doc entry and own block in place', async () => {
    const net = new DocNet({ seed: 13 })
    const ids = new Rng(0x5eed)
    const peers = [0, 1, 2].map((i) => peer(i, net, ids))
    history(peers, net)
    const a = peers[0]!
    a.store.fail = true
    const entries = a.doc.getMap(BLOCKS_MAP).size
    const own = a.store.own.size
    const p = pruner(a, { now: 'open' })
    expect(await p.check()).toBeUndefined()
    expect(p.error).toMatch(/quota/)
    expect(a.doc.getMap(BLOCKS_MAP).size).toBe(entries)
    expect(a.store.own.size).toBe(own)
    expect(a.store.base).toBeUndefined()
  })

  it('reload after pruning: base + own store + doc give the state before; trading and exits go on', async () => {
    const net = new DocNet({ seed: 14 })
    const ids = new Rng(0x5eed)
    const peers = [0, 1, 2].map((i) => peer(i, net, ids))
    history(peers, net)
    const phase = { now: 'open' as SettlementPhase }
    expect(await pruner(peers[1]!, phase).check()).toBeDefined()
    // past the pruning point: more trading, another checkpoint, a second pruning
    history(peers, net, 4)
    expect(await pruner(peers[1]!, phase).check()).toBeDefined()
    history(peers, net, 3)
    const b = peers[1]!
    const root = toHex(b.replica.stateRoot())
    const finalIds = b.replica.finalIds()
    const holdings = [0, 1, 2].map((p) => b.replica.state.holdings(p, 0))
    // B reloads: a fresh doc synced with the others (y-indexeddb's role), its base and own blocks from its store
    net.remove(b.doc)
    const again = peer(1, net, ids, b.store)
    net.flush()
    expect(toHex(again.replica.stateRoot())).toBe(root)
    expect(again.replica.finalIds()).toEqual(finalIds)
    expect([0, 1, 2].map((p) => again.replica.state.holdings(p, 0))).toEqual(holdings)
    expect(again.replica.bufferedCount).toBe(0)
    peers[1] = again
    history(peers, net, 3)
    for (const p of peers) expect(toHex(p.replica.stateRoot())).toBe(toHex(peers[0]!.replica.stateRoot()))
    // exit proofs of the newest certified checkpoint equal those of a peer that never pruned
    const v = again.replica.latestCertified()!.version
    expect(exitProofs(again.replica.stateOfCheckpoint(v), v, 1)).toEqual(
      exitProofs(peers[0]!.replica.stateOfCheckpoint(v), v, 1),
    )
  })
})
