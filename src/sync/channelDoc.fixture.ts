import { expect } from 'vitest'
import type * as Y from 'yjs'
import { blockId, decodeBlock } from '../core/block.ts'
import { bytesEqual, type Hex, toHex } from '../core/bytes.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { Replica, type ReplicaOptions } from '../core/replica.ts'
import { Rng } from '../core/sim/rng.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { CatchUp } from './catchUp.ts'
import { BLOCKS_MAP, ChannelDoc } from './channelDoc.ts'
import { DocNet, seededDoc } from './testing.ts'

/** What the ChannelDoc tests share: peers over a seeded DocNet, lockstep settling, catch-up as the browser wires it. */

export const AMOUNT = 1_000_000n
// q = 2 of 3: two honest peers advance rounds (and commit) while the third participant is silent or partitioned
export const tc = makeTestChannel({ participants: 3, label: 'sync', threshold: 2 })
export const deposits = testDeposits(3, 2, AMOUNT)
export const THRESHOLD = 4

export type Peer = { doc: Y.Doc; replica: Replica; cd: ChannelDoc; cu: CatchUp; own: Uint8Array[] }

// Yjs breaks ties by client id: draw them from a generator reset before each test, so every run replays
let ids32 = new Rng(0x5eed)
/** the callers' clock handed to replica.tick: block times only, nothing here waits on it */
export const clock = { now: 0 }
/** Resets the client-id generator and the clock: each test file calls it before each test. */
export function resetPeers(): void {
  ids32 = new Rng(0x5eed)
  clock.now = 0
}
export const newDoc = () => seededDoc(ids32)

export function peer(index: number, net?: DocNet, doc = newDoc(), options: ReplicaOptions = {}): Peer {
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
export function tick(p: Peer): Uint8Array | undefined {
  const bytes = p.replica.tick(++clock.now)
  if (!bytes) return undefined
  p.own.push(bytes)
  p.cd.publishOwn(bytes)
  return bytes
}

/** Submits `ops` and seals them into the peer's next block; its round must be open. */
export function author(p: Peer, ops: Op[]): Uint8Array {
  for (const op of ops) p.replica.submit(op, clock.now)
  const bytes = tick(p)
  if (!bytes) throw new Error('author: no round open for this peer')
  return bytes
}

/**
 * Lockstep over the doc network: the net delivers everything, then every peer is offered a round; until a pass
 * seals nothing (every op the peers can see is committed, or no round opens). Returns the blocks sealed.
 */
export function settle(peers: Peer[], net: DocNet, fetch = false): number {
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

export const idOf = (bytes: Uint8Array): Hex => toHex(blockId(decodeBlock(bytes), tc.channel.domainSeparator))
export const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })
export const ingressTotal = (r: Replica) =>
  r.ingress.accepted +
  r.ingress.duplicate +
  r.ingress.buffered +
  [...r.ingress.rejected.values()].reduce((a, b) => a + b, 0)
export const ids = (r: Replica) => [...r.nodes.keys()].sort()
export const rootHex = (p: Peer) => toHex(p.replica.stateRoot())

/** Every block the peer holds sits in its doc under its id with its bytes. */
export function expectMapHonest(doc: Y.Doc, holder: Replica): void {
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
export function catchUp(peers: Peer[], net: DocNet): void {
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
export function setup(seed: number) {
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
