import { beforeEach, describe, expect, it } from 'vitest'
import { toHex } from '../core/bytes.ts'
import { stateRoot } from '../core/roots.ts'
import { Rng } from '../core/sim/rng.ts'
import { claimedDeps } from './causalOrder.ts'
import {
  author,
  clock,
  idOf,
  ids,
  newDoc,
  type Peer,
  peer,
  resetPeers,
  rootHex,
  settle,
  tick,
  transfer,
} from './channelDoc.fixture.ts'
import { BLOCKS_MAP } from './channelDoc.ts'
import { DocNet } from './testing.ts'

beforeEach(resetPeers)

describe('catch-up and convergence (THREATS row 17)', () => {
  it('converges after a partition heals, whatever the delivery order', () => {
    for (const seed of [21, 22, 23, 24, 25]) {
      const net = new DocNet({ seed })
      const peers = [peer(0, net), peer(1, net), peer(2, net)]
      const [a, b, c] = peers as [Peer, Peer, Peer]
      author(a, [transfer(1, 1n)])
      author(b, [transfer(2, 2n)])
      author(c, [transfer(0, 3n)])
      net.flush()
      // A alone cannot open a round (q = 2); B and C go on, in an order the seed chooses
      net.partition([[a.doc], [b.doc, c.doc]])
      const rng = new Rng(seed)
      for (let i = 0; i < 12; i++) {
        const who = rng.int(0, 3)
        peers[who]!.replica.submit(transfer((who + 1) % 3, BigInt(rng.int(1, 100))), clock.now)
        for (const p of peers) tick(p)
        for (let k = rng.int(0, 4); k > 0; k--) net.step()
      }
      settle(peers, net)
      // B and C sealed everything they were given; A holds ops it could not seal (no round opens for it alone)
      expect(b.replica.pendingOps + c.replica.pendingOps).toBe(0)
      expect(a.replica.order.length).toBeLessThanOrEqual(4)
      expect(b.replica.finalCount).toBeGreaterThan(3)
      expect(ids(a.replica)).not.toEqual(ids(b.replica))
      net.heal()
      net.flush()
      const sealed = peers.reduce((k, p) => k + p.own.length, 0)
      for (const p of peers) {
        expect(ids(p.replica), `seed ${seed}`).toEqual(ids(a.replica))
        expect(p.replica.order.length).toBe(sealed)
      }
      // same blocks, same state (A's live state also holds the ops it batched while no round was open)
      expect(new Set(peers.map((p) => toHex(stateRoot(p.replica.finalState())))).size).toBe(1)
      expect(rootHex(c)).toBe(rootHex(b))
      // healed, A's partitioned ops become final too, in one order everywhere
      settle(peers, net)
      for (const p of peers) {
        expect(ids(p.replica), `seed ${seed}`).toEqual(ids(a.replica))
        expect(p.replica.finalIds()).toEqual(a.replica.finalIds())
        expect(p.replica.wantsToPropose()).toBe(false)
      }
      expect(new Set(peers.map(rootHex)).size).toBe(1)
    }
  })

  it('gives every block back to a peer that reconnects with a wiped Y.Doc and replica', () => {
    const net = new DocNet({ seed: 31 })
    const a = peer(0, net)
    let b = peer(1, net)
    author(a, [transfer(1, 1n)])
    author(b, [transfer(0, 2n)])
    net.flush()
    author(b, [transfer(0, 3n)])
    settle([a, b], net)
    net.remove(b.doc)
    author(a, [transfer(1, 7n)])
    net.flush()
    const own = b.own
    b = peer(1, net)
    b.cd.ingestDurable(own)
    net.flush()
    expect(b.replica.latest[1]?.seq).toBe(own.length)
    expect(ids(b.replica)).toEqual(ids(a.replica))
    expect(rootHex(b)).toBe(rootHex(a))
  })

  it('re-publishes blocks that survived only in a peer’s durable store', () => {
    const net = new DocNet({ seed: 32 })
    let a = peer(0, net)
    const b = peer(1, net)
    const c = peer(2, net)
    author(c, [transfer(0, 1n)])
    net.flush()
    // A writes rounds 1 and 2 (the latter citing C's round-1 block) while its doc reaches nobody
    net.isolate(a.doc)
    author(a, [transfer(1, 1n)])
    author(a, [transfer(2, 2n)])
    net.remove(a.doc)
    expect(b.replica.nodes.size).toBe(1)
    // A restarts with an empty doc and replica; its blocks live only in its own store
    const own = a.own
    a = peer(0, net)
    a.cd.ingestDurable(own)
    net.flush()
    expect(b.replica.order.length).toBe(3)
    expect(a.replica.order.length).toBe(3)
    expect(rootHex(b)).toBe(rootHex(a))
  })

  it('never puts an own sealed block in the doc before publishOwn (persist before broadcast)', () => {
    const net = new DocNet({ seed: 33 })
    const a = peer(0, net)
    const b = peer(1, net)
    a.replica.submit(transfer(1, 1n))
    const bytes = a.replica.seal()!
    a.cd.reconcile()
    net.flush()
    expect(a.cd.map.size).toBe(0)
    expect(b.replica.nodes.size).toBe(0)
    a.cd.publishOwn(bytes)
    net.flush()
    expect(b.replica.nodes.size).toBe(1)
    // the next round: B answers, A seals again; nothing of A's reaches the room before it is published
    author(b, [])
    net.flush()
    a.replica.submit(transfer(1, 2n))
    const second = a.replica.tick(++clock.now)!
    expect(second).toBeDefined()
    a.cd.reconcile()
    net.flush()
    expect(b.replica.nodes.has(idOf(second))).toBe(false)
    a.cd.publishOwn(second)
    net.flush()
    expect(b.replica.nodes.has(idOf(second))).toBe(true)
  })

  it('feeds a whole history to the replica in causal order, whatever order the map yields', () => {
    // A and C write 150 rounds each, exchanged directly: more blocks per author than B's replica buffers
    const a = peer(0)
    const c = peer(2)
    for (let i = 0; i < 150; i++) {
      const x = author(a, [transfer(1, 1n)])
      const y = author(c, [transfer(1, 1n)])
      a.replica.receive(y)
      c.replica.receive(x)
    }
    // the ordering hint reads prev and parents straight from the wire layout
    const last = a.replica.latest[0]!
    expect(claimedDeps(last.bytes!)).toEqual([last.block.prev, ...last.block.parents].map((x) => toHex(x)))
    const entries = a.replica.order.map((n) => [n.hex, n.bytes!] as const).reverse()
    expect(entries.length).toBe(300)
    const d = newDoc()
    d.transact(() => {
      for (const [k, v] of entries) d.getMap(BLOCKS_MAP).set(k, v)
    })
    const b = peer(1, undefined, d, { bufferPerAuthor: 64 })
    expect(b.replica.order.length).toBe(300)
    expect(b.replica.ingress.rejected.get('buffer-full')).toBeUndefined()
    expect(b.replica.finalIds()).toEqual(a.replica.finalIds())
    expect(rootHex(b)).toBe(rootHex(a))
  })
})
