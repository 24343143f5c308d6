import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { blockId, createBlock, decodeBlock, MAX_BLOCK_BYTES } from '../core/block.ts'
import { bytesEqual, fromHex, type Hex, toHex } from '../core/bytes.ts'
import { keccak256 } from '../core/hash.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { Replica, type ReplicaOptions } from '../core/replica.ts'
import { stateRoot } from '../core/roots.ts'
import { Rng } from '../core/sim/rng.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { CatchUp } from './catchUp.ts'
import { BLOCK_KEY, claimedDeps } from './causalOrder.ts'
import { BLOCKS_MAP, ChannelDoc } from './channelDoc.ts'
import { DocNet, seededDoc } from './testing.ts'
import { applyUpdateGuarded, DEFAULT_UPDATE_LIMITS, inspectUpdate, type UpdateLimits } from './updateGuard.ts'

const AMOUNT = 1_000_000n
// q = 2 of 3: two honest peers advance rounds (and commit) while the third participant is silent or partitioned
const tc = makeTestChannel({ participants: 3, label: 'sync', threshold: 2 })
const deposits = testDeposits(3, 2, AMOUNT)
const THRESHOLD = 4

type Peer = { doc: Y.Doc; replica: Replica; cd: ChannelDoc; cu: CatchUp; own: Uint8Array[] }

// Yjs breaks ties by client id: draw them from a generator reset before each test, so every run replays
let ids32 = new Rng(0x5eed)
/** the callers' clock handed to replica.tick: block times only, nothing here waits on it */
let clock = 0
beforeEach(() => {
  ids32 = new Rng(0x5eed)
  clock = 0
})
const newDoc = () => seededDoc(ids32)

function peer(index: number, net?: DocNet, doc = newDoc(), options: ReplicaOptions = {}): Peer {
  const replica = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    deposits,
    leaderWaitMs: 0,
    ...options,
  })
  const cd = new ChannelDoc({ doc, replica, ownAuthor: index, flagThreshold: THRESHOLD })
  net?.add(doc)
  return { doc, replica, cd, cu: new CatchUp({ channelDoc: cd }), own: [] }
}

/**
 * Offers the peer its next round: when the round is open and it has something to propose, seals the block,
 * keeps it in the peer's "durable store", then publishes it (persist before publish).
 */
function tick(p: Peer): Uint8Array | undefined {
  const bytes = p.replica.tick(++clock)
  if (!bytes) return undefined
  p.own.push(bytes)
  p.cd.publishOwn(bytes)
  return bytes
}

/** Submits `ops` and seals them into the peer's next block; its round must be open. */
function author(p: Peer, ops: Op[]): Uint8Array {
  for (const op of ops) p.replica.submit(op, clock)
  const bytes = tick(p)
  if (!bytes) throw new Error('author: no round open for this peer')
  return bytes
}

/**
 * Lockstep over the doc network: the net delivers everything, then every peer is offered a round; until a pass
 * seals nothing (every op the peers can see is committed, or no round opens). Returns the blocks sealed.
 */
function settle(peers: Peer[], net: DocNet, fetch = false): number {
  let sealed = 0
  net.flush()
  for (let pass = 0; pass < 1000; pass++) {
    let now = 0
    for (const p of peers) if (tick(p)) now++
    net.flush()
    if (fetch) catchUp(peers, net)
    if (now === 0) return sealed
    sealed += now
  }
  throw new Error('settle: still sealing')
}

const idOf = (bytes: Uint8Array): Hex => toHex(blockId(decodeBlock(bytes), tc.channel.domainSeparator))
const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })
const ingressTotal = (r: Replica) =>
  r.ingress.accepted +
  r.ingress.duplicate +
  r.ingress.buffered +
  [...r.ingress.rejected.values()].reduce((a, b) => a + b, 0)
const ids = (r: Replica) => [...r.nodes.keys()].sort()
const rootHex = (p: Peer) => toHex(p.replica.stateRoot())

/** Every block the peer holds sits in its doc under its id with its bytes. */
function expectMapHonest(doc: Y.Doc, holder: Replica): void {
  const map = doc.getMap(BLOCKS_MAP)
  for (const node of holder.order) {
    const v = map.get(node.hex)
    expect(v instanceof Uint8Array && bytesEqual(v, node.bytes!), `entry ${node.hex}`).toBe(true)
  }
}

/**
 * What the browser wiring does: peers learn each other's heads (presence) and fetch what they lack by id over
 * their direct connections (catchUp.ts), a request and its replies passed back and forth until done.
 */
function catchUp(peers: Peer[], net: DocNet): void {
  for (let round = 0; round < 8; round++) {
    for (const p of peers) for (const q of peers) if (p !== q) p.cd.want(q.replica.headIds())
    for (const p of peers) p.cd.pullParked()
    for (const p of peers)
      for (const q of peers) {
        if (p === q) continue
        let msg = p.cu.request()
        let to = q
        for (let hop = 0; msg && hop < 32; hop++) {
          msg = to.cu.handle(msg).reply
          to = to === q ? p : q
        }
      }
    net.flush()
    if (peers.every((p) => p.cd.wants().length === 0)) return
  }
}

/** An honest history by two authors (rounds need q = 2), driven until every op is final, delivered everywhere. */
function setup(seed: number) {
  const net = new DocNet({ seed })
  const a = peer(0, net)
  const b = peer(1, net)
  const evil = newDoc()
  net.add(evil)
  author(a, [transfer(1, 500n), transfer(2, 1n)])
  author(b, [transfer(0, 7n)])
  net.flush()
  author(a, [transfer(1, 500n)])
  settle([a, b], net)
  expect(a.replica.order.length).toBeGreaterThanOrEqual(3)
  expect(a.replica.finalCount).toBeGreaterThanOrEqual(3)
  expect(ids(b.replica)).toEqual(ids(a.replica))
  expect(rootHex(b)).toBe(rootHex(a))
  return { net, a, b, evil, em: evil.getMap(BLOCKS_MAP), root: rootHex(a) }
}

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

describe('THREATS row 2: malformed and oversized input', () => {
  it('refuses entries of the wrong type or over MAX_BLOCK_BYTES before any decoding', () => {
    const { net, a, b, evil, em, root } = setup(11)
    const before = [a, b].map((p) => [ingressTotal(p.replica), p.cd.stats.decoded])
    evil.transact(() => {
      em.set(toHex(new Uint8Array(32).fill(1)), new Uint8Array(MAX_BLOCK_BYTES + 1))
      em.set(toHex(new Uint8Array(32).fill(2)), 12345)
      em.set(toHex(new Uint8Array(32).fill(3)), new Y.Map())
      em.set('not-a-block-id', new Uint8Array(10))
    })
    net.flush()
    const seen: Record<string, number> = {}
    ;[a, b].forEach((p, i) => {
      expect(rootHex(p)).toBe(root)
      expect([ingressTotal(p.replica), p.cd.stats.decoded]).toEqual(before[i])
      const rec = p.cd.clientRecords().find((c) => c.clientID === evil.clientID)
      for (const [k, v] of Object.entries(rec?.reasons ?? {})) seen[k] = Math.max(seen[k] ?? 0, v ?? 0)
    })
    // whoever triaged them first charged the writer, then removed them: they are gone from every doc
    expect(Object.keys(seen).sort()).toEqual(['bad-key', 'not-bytes', 'oversize'])
    for (const d of [a.doc, b.doc, evil])
      for (const k of [...[1, 2, 3].map((x): string => toHex(new Uint8Array(32).fill(x))), 'not-a-block-id'])
        expect(d.getMap('blocks').has(k)).toBe(false)
  })

  it('decodes a flagged writer’s entries only when a validated block or a peer asks for them', () => {
    // A and C build rounds 1 and 2 offline: A's round-2 block needs A's and C's round-1 blocks
    const a = peer(0)
    const c = peer(2)
    const a1 = author(a, [transfer(1, 5n)])
    const c1 = author(c, [transfer(1, 6n)])
    a.replica.receive(c1)
    const a2 = author(a, [transfer(1, 7n)])
    const [id1, idc, id2] = [a1, c1, a2].map(idOf) as [Hex, Hex, Hex]
    const net = new DocNet({ seed: 12 })
    const b = peer(1, net)
    const relay = newDoc()
    net.add(relay)
    const rm = relay.getMap(BLOCKS_MAP)
    relay.transact(() => {
      for (let i = 0; i < THRESHOLD; i++) rm.set(toHex(new Uint8Array(32).fill(i + 1)), new Uint8Array(99))
    })
    net.flush()
    expect(b.cd.isFlagged(relay.clientID)).toBe(true)
    relay.transact(() => {
      rm.set(id1, a1)
      rm.set(idc, c1)
      rm.set(id2, a2)
    })
    net.flush()
    expect(b.replica.nodes.size).toBe(0)
    expect(b.cd.stats.dropped).toBe(3)
    // a peer advertises id2 as its head: B decodes it, learns it needs id1 and idc, decodes those too
    b.cd.want([id2])
    b.cd.flush()
    expect(ids(b.replica)).toEqual([id1, idc, id2].sort())
    expect(rootHex(b)).toBe(rootHex(a))
  })

  it('rejects oversized, empty, garbage and foreign updates before they reach the doc or the replica', () => {
    const { a, root } = setup(13)
    const map = a.doc.getMap(BLOCKS_MAP)
    const size = map.size
    const before = ingressTotal(a.replica)
    const updateOf = (write: (d: Y.Doc) => void) => {
      const d = newDoc()
      write(d)
      return Y.encodeStateAsUpdate(d)
    }
    const key = toHex(new Uint8Array(32).fill(9))
    const big = updateOf((d) => d.getMap(BLOCKS_MAP).set(key, new Uint8Array(400 * 1024)))
    const limits = {
      maxUpdateBytes: 300 * 1024,
      roots: {
        ...DEFAULT_UPDATE_LIMITS.roots,
        [BLOCKS_MAP]: { content: 'binary', key: BLOCK_KEY, maxEntryBytes: 64 * 1024 },
      },
    } satisfies UpdateLimits
    const valid = updateOf((d) => d.getMap(BLOCKS_MAP).set(key, new Uint8Array(50)))
    const cases: [Uint8Array, string][] = [
      [big, 'oversize'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set(key, new Uint8Array(64 * 1024 + 1))), 'entry-oversize'],
      [new Uint8Array(), 'empty'],
      [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]), 'malformed'],
      [valid.slice(0, valid.length - 9), 'malformed'],
      [updateOf((d) => d.getText(BLOCKS_MAP).insert(0, 'x'.repeat(1000))), 'content'],
      [updateOf((d) => d.getText('notes').insert(0, 'x')), 'foreign-type'],
      [updateOf((d) => d.getMap('other').set(key, new Uint8Array(10))), 'foreign-type'],
      [
        updateOf((d) => d.getMap('lobby').set(`0x${'ab'.repeat(20)}`, { s: 'x'.repeat(5000) })),
        'entry-oversize',
      ],
      [updateOf((d) => d.getMap('lobby').set(`0x${'ab'.repeat(20)}`, new Uint8Array(10))), 'content'],
      [updateOf((d) => d.getMap('lobby').set('nobody', { a: 1 })), 'bad-key'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set(key, 'string')), 'content'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set(key, new Y.Map())), 'content'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set('x', new Uint8Array(10))), 'bad-key'],
      [updateOf((d) => d.getArray(BLOCKS_MAP).push([new Uint8Array(10)])), 'bad-key'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set(key, newDoc())), 'content'],
    ]
    for (const [u, reason] of cases) {
      const r = applyUpdateGuarded(a.doc, u, 'test', limits)
      expect(r, reason).toMatchObject({ ok: false, reason })
    }
    expect(map.size).toBe(size)
    expect(ingressTotal(a.replica)).toBe(before)
    expect(a.cd.stats.invalid).toBe(0)
    expect(rootHex(a)).toBe(root)
    // what honest peers write passes: blocks, and lobby authorisations (lobby.ts)
    const lobbyEntry = { sessionKey: `0x${'12'.repeat(20)}`, signature: `0x${'34'.repeat(65)}` }
    expect(
      inspectUpdate(updateOf((d) => d.getMap('lobby').set(`0x${'ab'.repeat(20)}`, lobbyEntry))),
    ).toBeUndefined()
    // the same entry under the limits goes through and is judged by the adapter
    expect(applyUpdateGuarded(a.doc, valid, 'test', limits)).toEqual({ ok: true })
    expect(a.cd.stats.invalid).toBe(1)
  })

  it('fuzz: mutated updates never throw and only genuine blocks reach the replica', () => {
    const src = setup(14)
    const full = Y.encodeStateAsUpdate(src.a.doc)
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(full.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(full.length),
        (edits, cut) => {
          const u = full.slice(0, Math.max(1, cut))
          for (const [i, v] of edits) if (i < u.length) u[i] = v
          const t = peer(2)
          expect(() => applyUpdateGuarded(t.doc, u, 'fuzz')).not.toThrow()
          for (const id of t.replica.nodes.keys()) expect(src.a.replica.nodes.has(id)).toBe(true)
          t.cd.destroy()
        },
      ),
      { numRuns: 300, seed: 42 },
    )
  })
})

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
        peers[who]!.replica.submit(transfer((who + 1) % 3, BigInt(rng.int(1, 100))), clock)
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
    const second = a.replica.tick(++clock)!
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

describe('THREATS row 21: cost amplification through the doc', () => {
  it('blocks citing thousands of made-up parents do not crowd out an honest block’s missing ancestor', () => {
    const a = peer(0)
    const b = peer(1)
    // b's round-1 block, then a's round-2 block that cites it; c (no DAG yet) sees only a's block
    const b1 = author(b, [transfer(0, 1n)])
    a.replica.receive(b1)
    author(a, [transfer(2, 1n)])
    const a2 = author(a, [transfer(2, 2n)])
    const c = peer(2, undefined, newDoc(), {})
    const small = new ChannelDoc({
      doc: newDoc(),
      replica: c.replica,
      flagThreshold: THRESHOLD,
      maxWanted: 64,
    })
    // the Byzantine participant 2 floods blocks whose parents do not exist
    const rng = new Rng(3)
    const flood: Uint8Array[] = []
    for (let k = 0; k < 200; k++)
      flood.push(
        createBlock({
          channelId: tc.channel.channelId,
          author: fromHex(tc.members[2]!.address),
          seq: 1n,
          round: 1n,
          time: BigInt(k),
          prev: new Uint8Array(32),
          parents: Array.from({ length: 20 }, () => keccak256(rng.bytes(8))),
          ops: [],
          sessionKey: tc.members[2]!.sessionKey,
          domainSeparator: tc.channel.domainSeparator,
        }).bytes,
      )
    small.receiveDirect(flood)
    small.receiveDirect([a2])
    // a2 waits for a's round-1 block (and b's): those are among the first ids asked for
    const wants = small.wants(8)
    const missing = decodeBlock(a2)
    const needed = [toHex(missing.prev), ...missing.parents.map(toHex)]
    expect(wants.some((w) => needed.includes(w))).toBe(true)
  })

  it('bounds client records when every invalid write comes from a new client id, and keeps the flagged ones', () => {
    const r = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    const doc = newDoc()
    const cd = new ChannelDoc({ doc, replica: r, flagThreshold: THRESHOLD, maxClientRecords: 50 })
    // one persistent attacker gets flagged
    const evil = new Y.Doc()
    evil.clientID = 77
    for (let k = 0; k < THRESHOLD; k++) evil.getMap(BLOCKS_MAP).set(`junk-${k}`, new Uint8Array(4))
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(evil))
    expect(cd.isFlagged(evil.clientID)).toBe(true)
    // then 300 one-shot client ids, each writing one garbage entry
    for (let k = 0; k < 300; k++) {
      const one = new Y.Doc()
      one.clientID = 1_000_000 + k
      one.getMap(BLOCKS_MAP).set(`x-${k}`, 1)
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(one))
    }
    expect(cd.clientRecords().length).toBeLessThanOrEqual(50 + 1)
    expect(cd.isFlagged(evil.clientID)).toBe(true)
    // and the garbage is gone from the doc
    expect([...doc.getMap(BLOCKS_MAP).keys()]).toEqual([])
    expect(cd.stats.removed).toBe(300 + THRESHOLD)
  })

  it('removes a validly encoded block that every honest replica refuses (forged signature) from the doc', () => {
    const { net, a, b, evil, em } = setup(22)
    const forged = createBlock({
      channelId: tc.channel.channelId,
      author: fromHex(tc.members[0]!.address),
      seq: 9n,
      round: 9n,
      time: 0n,
      prev: new Uint8Array(32).fill(1),
      parents: [],
      ops: [transfer(1, 1n)],
      sessionKey: tc.members[2]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    evil.transact(() => em.set(toHex(forged.id), forged.bytes))
    net.flush()
    for (const d of [a.doc, b.doc, evil]) expect(d.getMap(BLOCKS_MAP).has(toHex(forged.id))).toBe(false)
    expect(a.cd.stats.removed + b.cd.stats.removed).toBeGreaterThanOrEqual(1)
  })
})
