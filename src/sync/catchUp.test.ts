import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { createBlock, MAX_BLOCK_BYTES } from '../core/block.ts'
import { fromHex, type Hex, toHex } from '../core/bytes.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { Rng } from '../core/sim/rng.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { CatchUp, decodeCatchUp, encodeBlocks, encodePruned, encodeWant, MAX_WANT_IDS } from './catchUp.ts'
import { ChannelDoc } from './channelDoc.ts'
import { authorGate, presenceOf, readPresence, startPresence } from './presence.ts'
import { seededDoc } from './testing.ts'

// q = 2 of 3: two participants advance rounds while the third only catches up
const tc = makeTestChannel({ participants: 3, label: 'catchup', threshold: 2 })
const deposits = testDeposits(3, 2, 1_000_000n)
const rng = new Rng(3)

function peer(index: number) {
  const doc = seededDoc(rng)
  const replica = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    deposits,
    leaderWaitMs: 0,
  })
  const cd = new ChannelDoc({ doc, replica, ownAuthor: index })
  return { doc, replica, cd, cu: new CatchUp({ channelDoc: cd }) }
}
type Peer = ReturnType<typeof peer>

const ids = (p: Peer) => [...p.replica.nodes.keys()].sort()
const transfer = (to: number, amount = 1n): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })
let clock = 0
/** Submits `op` and seals it into the peer's next block (its round must be open); publishes it once durable. */
function author(p: Peer, op: Op, publish = true): Uint8Array {
  p.replica.submit(op)
  const bytes = p.replica.tick(++clock)
  if (!bytes) throw new Error('author: no round open for this peer')
  if (publish) p.cd.publishOwn(bytes)
  return bytes
}

/** A and C write `rounds` rounds together (their blocks reach each other directly), one op each per round. */
function rounds(a: Peer, c: Peer, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = author(a, transfer(1))
    const y = author(c, transfer(1))
    a.replica.receive(y)
    c.replica.receive(x)
  }
}

/** A request and its replies passed back and forth until nothing more is asked. */
function exchange(from: Peer, to: Peer): number {
  let msg = from.cu.request()
  let hops = 0
  for (let at = to; msg && hops < 64; hops++) {
    msg = at.cu.handle(msg).reply
    at = at === to ? from : to
  }
  return hops
}

describe('catch-up messages', () => {
  it('round-trip and refuse anything whose lengths do not add up', () => {
    const ids = [toHex(rng.bytes(32)), toHex(rng.bytes(32))] as Hex[]
    expect(decodeCatchUp(encodeWant(ids))).toEqual({ kind: 'want', ids })
    const blocks = [rng.bytes(10), rng.bytes(0), rng.bytes(300)]
    expect(decodeCatchUp(encodeBlocks(blocks))).toEqual({ kind: 'blocks', blocks })
    const want = encodeWant(ids)
    expect(decodeCatchUp(want.subarray(0, want.length - 1))).toBeUndefined()
    expect(decodeCatchUp(new Uint8Array([...want, 0]))).toBeUndefined()
    const tooMany = new Uint8Array(4 + 32 * (MAX_WANT_IDS + 1))
    tooMany.set([0x7e, 0, 0, MAX_WANT_IDS + 1])
    expect(decodeCatchUp(tooMany)).toBeUndefined()
    const huge = encodeBlocks([new Uint8Array(8)])
    new DataView(huge.buffer).setUint32(4, MAX_BLOCK_BYTES + 1)
    expect(decodeCatchUp(huge)).toBeUndefined()
    // kind 2 is the "pruned here" answer (issue #8), with the want's layout; 3 and up are unknown
    expect(decodeCatchUp(encodePruned(ids))).toEqual({ kind: 'pruned', ids })
    const pruned = encodePruned(ids)
    expect(decodeCatchUp(pruned.subarray(0, pruned.length - 1))).toBeUndefined()
    expect(decodeCatchUp(new Uint8Array([0x7e, 3, 0, 0]))).toBeUndefined()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const m = new Uint8Array([0x7e, ...b])
        expect(() => decodeCatchUp(m)).not.toThrow()
      }),
      { numRuns: 500, seed: 7 },
    )
  })

  it('fetches a missing chain by id, answers only with what may be shared, refuses forged blocks', () => {
    const a = peer(0)
    const b = peer(1)
    const c = peer(2)
    rounds(a, c, 3)
    author(a, transfer(1))
    // B learns only A's head (e.g. from presence): one exchange walks the whole DAG back, C's blocks included
    expect(a.replica.headIds()).toHaveLength(1)
    b.cd.want([a.replica.headIds()[0]!])
    exchange(b, a)
    expect(b.replica.order.length).toBe(7)
    expect(ids(b)).toEqual(ids(a))
    expect(toHex(b.replica.stateRoot())).toBe(toHex(a.replica.stateRoot()))
    // an own block not yet durable (sealed, not published) is never handed out
    a.replica.receive(author(c, transfer(1)))
    author(a, transfer(2), false)
    const unpublished = a.replica.latest[0]!.hex
    expect(a.cd.blocksFor([unpublished])).toEqual([])
    expect(a.cd.blocksFor([c.replica.latest[2]!.hex])).toHaveLength(1)
    // a reply with garbage and a forged block is refused and counted against the sender
    const forged = createBlock({
      channelId: tc.channel.channelId,
      author: fromHex(tc.members[2]!.address),
      seq: 1n,
      round: 1n,
      time: 0n,
      prev: tc.channel.genesis,
      parents: [],
      ops: [transfer(0)],
      sessionKey: tc.members[0]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    }).bytes
    const r = b.cu.handle(encodeBlocks([rng.bytes(300), forged]))
    expect(r).toMatchObject({ added: 0, rejected: 2, malformed: false })
    expect(b.cu.handle(new Uint8Array([0x7e, 1, 0]))).toMatchObject({ malformed: true })
  })

  it('keeps made-up heads from crowding out real wants', () => {
    const a = peer(0)
    const b = peer(1)
    const c = peer(2)
    rounds(a, c, 1)
    const child = author(a, transfer(1))
    // the child (round 2) cites A's and C's round-1 blocks: both are real missing ancestors at B
    const parents = [...a.replica.nodes.values()].filter((n) => n.round === 1).map((n) => n.hex)
    expect(parents).toHaveLength(2)
    // a peer advertises a thousand heads nobody has
    b.cd.want(Array.from({ length: 1000 }, () => toHex(rng.bytes(32))))
    b.cd.receiveDirect([child])
    const wants = b.cd.wants(MAX_WANT_IDS)
    expect(wants.slice(0, 2).sort()).toEqual(parents.sort())
    expect(wants.length).toBe(MAX_WANT_IDS)
    // made-up ids are asked for a bounded number of times, then forgotten
    for (let i = 0; i < 100; i++) b.cd.wants(MAX_WANT_IDS)
    expect(b.cd.wants(MAX_WANT_IDS).sort()).toEqual(parents)
    exchange(b, a)
    expect(b.cd.wants()).toEqual([])
    expect(b.replica.order.length).toBe(3)
  })
})

describe('presence (THREATS row 1: awareness is spoofable)', () => {
  it('sanitises claims and sets them beside what the replica knows', () => {
    const a = peer(0)
    author(a, transfer(1))
    const self = 1
    const states = new Map<number, unknown>([
      [self, { presence: presenceOf(a.replica, 0) }],
      [2, { presence: { ...presenceOf(a.replica, 0), seq: 5 } }],
      [3, { presence: { v: 1, participant: 99, seq: -4, head: 'x', blocks: 1e300, heads: ['0x12', 7] } }],
      [4, { presence: 'junk' }],
      [5, null],
      [6, { presence: { v: 1, participant: 2, heads: Array(100).fill(a.replica.headIds()[0]) } }],
    ])
    const peers = readPresence(states, a.replica, self)
    expect(peers.map((p) => p.clientID)).toEqual([2, 3, 6])
    expect(peers[0]).toMatchObject({
      participant: 0,
      claimedSeq: 5,
      knownSeq: 1,
      lag: 4,
      headKnown: true,
      behind: 0,
    })
    expect(peers[1]).toMatchObject({
      participant: undefined,
      claimedSeq: 0,
      lag: 0,
      headKnown: false,
      heads: [],
    })
    expect(peers[2]!.heads.length).toBeLessThanOrEqual(8)
    // a browser that follows read-only (the wallet's session key elsewhere) is not the participant online, and its
    // heads still serve catch-up
    const follower = readPresence(
      new Map([[8, { presence: presenceOf(a.replica, 0, true) }]]),
      a.replica,
      self,
    )
    expect(follower[0]).toMatchObject({ participant: undefined, heads: a.replica.headIds().slice(-8) })
    expect(peers[0]!.seqs).toEqual([1, 0, 0])
    expect(peers[1]!.seqs).toEqual([0, 0, 0])
  })

  it('holds authoring back while a peer claims a later own block than the replica holds (wiped storage)', () => {
    const a = peer(0)
    rounds(a, peer(2), 2)
    // A's storage was wiped: a fresh replica, and B (holding A's blocks) advertises what it knows
    const fresh = peer(0)
    const b = peer(1)
    b.replica.receiveMany(a.replica.blocksInOrder())
    const claims = readPresence(new Map([[7, { presence: presenceOf(b.replica, 1) }]]), fresh.replica, 0)
    expect(authorGate(claims, fresh.replica, 0)).toEqual({ safe: false, known: 0, claimed: 2 })
    fresh.replica.receiveMany(b.replica.blocksInOrder())
    expect(authorGate(claims, fresh.replica, 0)).toEqual({ safe: true, known: 2, claimed: 2 })
  })

  it('turns heads another peer advertises into wants that catch-up then fetches', () => {
    const a = peer(0)
    const b = peer(1)
    rounds(a, peer(2), 1)
    author(a, transfer(1))
    const wa = new Awareness(new Y.Doc())
    const wb = new Awareness(new Y.Doc())
    const pa = startPresence({
      awareness: wa,
      replica: a.replica,
      channelDoc: a.cd,
      participant: 0,
      throttleMs: 0,
    })
    const pb = startPresence({
      awareness: wb,
      replica: b.replica,
      channelDoc: b.cd,
      participant: 1,
      throttleMs: 0,
    })
    applyAwarenessUpdate(wb, encodeAwarenessUpdate(wa, [wa.clientID]), 'net')
    expect(b.cd.wants()).toEqual(a.replica.headIds())
    expect(pb.peers()[0]).toMatchObject({ participant: 0, claimedSeq: 2, knownSeq: 0, lag: 2 })
    exchange(b, a)
    expect(b.replica.order.length).toBe(3)
    expect(pb.peers()[0]).toMatchObject({ lag: 0, headKnown: true })
    pa.stop()
    pb.stop()
  })
})
