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
import { CatchUp, decodeCatchUp, encodeBlocks, encodeWant, MAX_WANT_IDS } from './catchUp.ts'
import { ChannelDoc } from './channelDoc.ts'
import { authorGate, presenceOf, readPresence, startPresence } from './presence.ts'
import { seededDoc } from './testing.ts'

const tc = makeTestChannel({ participants: 3, label: 'catchup' })
const deposits = testDeposits(3, 2, 1_000_000n)
const rng = new Rng(3)

function peer(index: number) {
  const doc = seededDoc(rng)
  const replica = new Replica(tc.channel, {
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    deposits,
  })
  const cd = new ChannelDoc({ doc, replica, ownAuthor: index })
  return { doc, replica, cd, cu: new CatchUp({ channelDoc: cd }) }
}
type Peer = ReturnType<typeof peer>

const deposit = (i: number): Op => ({ tag: OpTag.Deposit, depositIndex: BigInt(i) })
function author(p: Peer, op: Op, publish = true): Uint8Array {
  p.replica.submit(op)
  const bytes = p.replica.seal()!
  if (publish) p.cd.publishOwn(bytes)
  return bytes
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
    expect(decodeCatchUp(new Uint8Array([0x7e, 2, 0, 0]))).toBeUndefined()
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
    for (let i = 0; i < 5; i++)
      author(a, i === 0 ? deposit(0) : { tag: OpTag.Transfer, to: 1, token: 0, amount: 1n })
    // B learns only A's head (e.g. from presence): one exchange walks the whole chain back
    b.cd.want([a.replica.headIds()[0]!])
    exchange(b, a)
    expect(b.replica.order.length).toBe(5)
    expect(toHex(b.replica.stateRoot())).toBe(toHex(a.replica.stateRoot()))
    // an own block not yet durable (sealed, not published) is never handed out
    author(a, deposit(1), false)
    const unpublished = a.replica.latest[0]!.hex
    expect(a.cd.blocksFor([unpublished])).toEqual([])
    // a reply with garbage and a forged block is refused and counted against the sender
    const forged = createBlock({
      channelId: tc.channel.channelId,
      author: fromHex(tc.members[2]!.address),
      seq: 1n,
      prev: new Uint8Array(32),
      parents: [],
      ops: [deposit(4)],
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
    author(a, deposit(0))
    const child = author(a, deposit(1))
    const parent = a.replica.order[0]!.hex
    // a peer advertises a thousand heads nobody has
    b.cd.want(Array.from({ length: 1000 }, () => toHex(rng.bytes(32))))
    b.cd.receiveDirect([child])
    const wants = b.cd.wants(MAX_WANT_IDS)
    expect(wants[0]).toBe(parent)
    expect(wants.length).toBe(MAX_WANT_IDS)
    // made-up ids are asked for a bounded number of times, then forgotten
    for (let i = 0; i < 100; i++) b.cd.wants(MAX_WANT_IDS)
    expect(b.cd.wants(MAX_WANT_IDS)).toEqual([parent])
    exchange(b, a)
    expect(b.cd.wants()).toEqual([])
    expect(b.replica.order.length).toBe(2)
  })
})

describe('presence (THREATS row 1: awareness is spoofable)', () => {
  it('sanitises claims and sets them beside what the replica knows', () => {
    const a = peer(0)
    author(a, deposit(0))
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
    expect(peers[0]!.seqs).toEqual([1, 0, 0])
    expect(peers[1]!.seqs).toEqual([0, 0, 0])
  })

  it('holds authoring back while a peer claims a later own block than the replica holds (wiped storage)', () => {
    const a = peer(0)
    author(a, deposit(0))
    author(a, deposit(1))
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
    author(a, deposit(0))
    author(a, deposit(1))
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
    expect(b.replica.order.length).toBe(2)
    expect(pb.peers()[0]).toMatchObject({ lag: 0, headKnown: true })
    pa.stop()
    pb.stop()
  })
})
