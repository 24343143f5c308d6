import { beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { bytesEqual, toHex } from '../core/bytes.ts'
import { Rng } from '../core/sim/rng.ts'
import {
  author,
  catchUp,
  expectMapHonest,
  ids,
  ingressTotal,
  newDoc,
  peer,
  resetPeers,
  rootHex,
  settle,
  setup,
  THRESHOLD,
  transfer,
} from './channelDoc.fixture.ts'
import { BLOCKS_MAP } from './channelDoc.ts'
import { DocNet } from './testing.ts'

beforeEach(resetPeers)

describe('THREATS row 1: raw Yjs writes by a room member', () => {
  it('re-announces deleted honest entries; honest state is unchanged', () => {
    const { net, a, b, evil, em, root } = setup(1)
    const keys = [...em.keys()]
    expect(keys.length).toBe(a.replica.order.length)
    evil.transact(() => {
      for (const k of keys) em.delete(k)
    })
    net.flush()
    for (const p of [a, b]) {
      expect(rootHex(p)).toBe(root)
      expectMapHonest(p.doc, a.replica)
    }
    expectMapHonest(evil, a.replica)
    expect(a.cd.stats.deletions + b.cd.stats.deletions).toBeGreaterThanOrEqual(keys.length)
    expect(a.cd.stats.repaired + b.cd.stats.repaired).toBeGreaterThanOrEqual(keys.length)
  })

  it('repairs overwrites with garbage, with another valid block and with non-bytes; flags the writer', () => {
    const { net, a, b, evil, em, root } = setup(2)
    const [n1, n2, n3] = a.replica.order
    const updates: Uint8Array[] = []
    evil.on('update', (u: Uint8Array) => updates.push(u))
    evil.transact(() => {
      em.set(n1!.hex, new Rng(9).bytes(300))
      em.set(n2!.hex, n3!.bytes!)
      em.set(n3!.hex, 'not bytes')
    })
    // both peers see the overwrites themselves (relayed, a peer's repair can otherwise reach the other first)
    for (const p of [a, b]) for (const u of updates) Y.applyUpdate(p.doc, u)
    net.flush()
    for (const p of [a, b]) {
      expect(rootHex(p)).toBe(root)
      expectMapHonest(p.doc, a.replica)
      const rec = p.cd.clientRecords().find((c) => c.clientID === evil.clientID)
      expect(rec?.reasons.overwrite).toBe(3)
    }
    expectMapHonest(evil, a.replica)
  })

  it('ignores garbage under new keys, charges the writer and stops decoding it past the threshold', () => {
    const { net, a, b, evil, em, root } = setup(3)
    const rng = new Rng(4)
    const before = [a, b].map((p) => ingressTotal(p.replica))
    evil.transact(() => {
      for (let i = 0; i < 20; i++) em.set(toHex(rng.bytes(32)), rng.bytes(rng.int(0, 400)))
    })
    net.flush()
    ;[a, b].forEach((p, i) => {
      expect(rootHex(p)).toBe(root)
      expect(p.cd.isFlagged(evil.clientID)).toBe(true)
      expect(p.cd.flaggedClients().map((c) => c.clientID)).toEqual([evil.clientID])
      // decoded until the writer is flagged, then parked
      expect(ingressTotal(p.replica) - before[i]!).toBe(THRESHOLD)
      expect(p.cd.flaggedClients()[0]!.dropped).toBe(20 - THRESHOLD)
    })
    // a second burst from the flagged writer costs no decoding at all
    const mid = [a, b].map((p) => ingressTotal(p.replica))
    evil.transact(() => {
      for (let i = 0; i < 50; i++) em.set(toHex(rng.bytes(32)), rng.bytes(200))
    })
    net.flush()
    ;[a, b].forEach((p, i) => {
      expect(ingressTotal(p.replica)).toBe(mid[i])
      expect(p.cd.flaggedClients()[0]!.dropped).toBe(70 - THRESHOLD)
    })
  })

  it('survives a room member reusing an honest peer’s Yjs clientID', () => {
    for (const seed of Array.from({ length: Number(process.env.SYNC_SEEDS ?? 12) }, (_, i) => 5 + i)) {
      const net = new DocNet({ seed })
      const a = peer(0, net)
      const b = peer(1, net)
      author(a, [transfer(1, 1n), transfer(2, 2n)])
      author(b, [transfer(0, 3n)])
      net.flush()
      // the impostor starts from the room state and writes under A's clientID, concurrently with A
      const a0 = a.doc.clientID
      const evil = newDoc()
      Y.applyUpdate(evil, Y.encodeStateAsUpdate(a.doc))
      // yjs itself moves a doc off a client id it sees someone else use: put the impostor back on it
      evil.clientID = a.doc.clientID
      const em = evil.getMap(BLOCKS_MAP)
      const [k1] = a.replica.order.map((n) => n.hex)
      evil.transact(() => {
        em.set(k1!, new Uint8Array(200))
        for (let i = 0; i < 10; i++) em.set(toHex(new Rng(seed + i).bytes(32)), new Uint8Array(150))
      })
      net.add(evil)
      // A writes two blocks (rounds 2 and 3) before anything of the impostor's reaches it: B's round-2 block
      // comes to A by id over their direct connection, which also files it in A's doc under the reused id
      author(a, [transfer(1, 10n)])
      const b2 = author(b, [transfer(2, 20n)])
      a.cd.receiveDirect([b2])
      author(a, [transfer(2, 30n)])
      // the docs now disagree on what some item ids mean: repairs must still settle
      net.flush()
      catchUp([a, b], net)
      expect(ids(b.replica), `seed ${seed}`).toEqual(ids(a.replica))
      expect(a.replica.order.length).toBe(5)
      expect(rootHex(b)).toBe(rootHex(a))
      // and the channel goes on over the damaged docs until every op is final, the same everywhere
      settle([a, b], net, true)
      expect(ids(b.replica), `seed ${seed}`).toEqual(ids(a.replica))
      expect(b.replica.finalIds()).toEqual(a.replica.finalIds())
      expect(a.replica.wantsToPropose()).toBe(false)
      expect(rootHex(b)).toBe(rootHex(a))
      expect(b.cd.isFlagged(evil.clientID) || b.cd.isFlagged(a0)).toBe(true)
    }
  })

  it('publishes a valid block found under a wrong key under its own id', () => {
    const net = new DocNet({ seed: 10 })
    const a = peer(0)
    const b = peer(1, net)
    const evil = newDoc()
    net.add(evil)
    // A is offline; the evil member got A's block and files it under a made-up key
    a.replica.submit(transfer(1, 1n))
    const bytes = a.replica.seal()!
    const id = a.replica.order[0]!.hex
    const wrong = toHex(new Uint8Array(32).fill(7))
    evil.getMap(BLOCKS_MAP).set(wrong, bytes)
    net.flush()
    expect(b.replica.nodes.has(id)).toBe(true)
    const v = b.doc.getMap(BLOCKS_MAP).get(id)
    expect(v instanceof Uint8Array && bytesEqual(v, bytes)).toBe(true)
    // a delivery under the wrong key brings something new: not charged; the same block filed again is
    expect(b.cd.clientRecords()).toEqual([])
    evil.getMap(BLOCKS_MAP).set(toHex(new Uint8Array(32).fill(8)), bytes)
    net.flush()
    expect(b.cd.clientRecords()[0]).toMatchObject({ clientID: evil.clientID, reasons: { 'wrong-key': 1 } })
  })
})
