import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { WebrtcProvider } from 'y-webrtc'
import * as Y from 'yjs'
import { toHex } from '../core/bytes.ts'
import { Rng } from '../core/sim/rng.ts'
import { CATCH_UP, encodeWant } from './catchUp.ts'
import { BLOCKS_MAP } from './channelDoc.ts'
import { guardProvider, syncStep1 } from './guardProvider.ts'
import { updateHeld } from './heldUpdate.ts'
import { FRAME, frameMessage, PeerGuard, type Verdict } from './peerGuard.ts'
import { seededDoc } from './testing.ts'

// y-webrtc message layouts (lib0 varuints): sync = 0 ‖ sub (0 step 1, 1 step 2, 2 update) ‖ varUint8Array
const varuint = (n: number) => {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}
const syncMessage = (sub: number, payload: Uint8Array) =>
  new Uint8Array([0, sub, ...varuint(payload.length), ...payload])
const readSync = (m: Uint8Array) => {
  let len = 0
  let shift = 0
  let i = 2
  for (;;) {
    const b = m[i++]!
    len |= (b & 0x7f) << shift
    shift += 7
    if (b < 0x80) break
  }
  return { sub: m[1]!, payload: m.subarray(i, i + len) }
}

const rng = new Rng(77)
const key = () => toHex(rng.bytes(32))
function updateWith(write: (d: Y.Doc) => void): Uint8Array {
  const d = seededDoc(rng)
  write(d)
  return Y.encodeStateAsUpdate(d)
}
const blocksUpdate = (n: number, size: number) =>
  updateWith((d) => {
    for (let i = 0; i < n; i++) d.getMap(BLOCKS_MAP).set(key(), rng.bytes(size))
  })

function clock() {
  let t = 0
  return { now: () => t, advance: (ms: number) => (t += ms) }
}
const feed = (g: PeerGuard, msg: Uint8Array, frameBytes = 64 * 1024): Verdict[] =>
  frameMessage(msg, frameBytes).map((f) => g.receive(f))

describe('PeerGuard: every message is checked before y-webrtc decodes it (THREATS row 2)', () => {
  it('reassembles a framed full-state reply larger than a data channel message', () => {
    const g = new PeerGuard({ now: clock().now })
    const msg = syncMessage(1, blocksUpdate(6, 60 * 1024))
    expect(msg.length).toBeGreaterThan(256 * 1024)
    const frames = frameMessage(msg, 64 * 1024)
    expect(frames.every((f) => f.length <= 64 * 1024 && f[0] === FRAME)).toBe(true)
    const verdicts = frames.map((f) => g.receive(f))
    expect(verdicts.slice(0, -1).every((v) => 'pending' in v)).toBe(true)
    const last = verdicts[verdicts.length - 1]!
    expect('deliver' in last && toHex(last.deliver) === toHex(msg)).toBe(true)
  })

  it('stops assembling a message past the size cap and discards its remaining frames', () => {
    const g = new PeerGuard({ now: clock().now, limits: { maxMessageBytes: 100 * 1024 } })
    const verdicts = feed(g, syncMessage(1, blocksUpdate(4, 60 * 1024)))
    expect(verdicts.filter((v) => 'drop' in v)).toEqual([{ drop: 'oversize' }])
    expect(verdicts.some((v) => 'deliver' in v)).toBe(false)
    // the next message is judged on its own
    const small = syncMessage(2, blocksUpdate(1, 100))
    expect(g.receive(small)).toEqual({ deliver: small })
  })

  it('drops garbage, foreign and oversized updates, unknown types and truncated headers', () => {
    const g = new PeerGuard({ now: clock().now, limits: { maxUpdateBytes: 64 * 1024 } })
    const cases: [Uint8Array, string][] = [
      [syncMessage(2, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1])), 'update-malformed'],
      [syncMessage(2, new Uint8Array()), 'update-empty'],
      [
        syncMessage(
          2,
          updateWith((d) => d.getText('t').insert(0, 'hi')),
        ),
        'update-foreign-type',
      ],
      [
        syncMessage(
          2,
          updateWith((d) => d.getMap(BLOCKS_MAP).set(key(), 'str')),
        ),
        'update-content',
      ],
      [syncMessage(2, blocksUpdate(2, 40 * 1024)), 'oversize'],
      [syncMessage(3, new Uint8Array(4)), 'unknown-type'],
      [new Uint8Array([4, 1, 3, 97, 98, 99]), 'unknown-type'],
      [new Uint8Array([0]), 'malformed'],
      [new Uint8Array([0, 2, 0x85]), 'malformed'],
      [new Uint8Array([0, 2, 10, 1, 2]), 'malformed'],
      [new Uint8Array([3, 0]), 'malformed'],
    ]
    for (const [m, reason] of cases) expect(g.receive(m), reason).toEqual({ drop: reason })
    expect(g.stats.strikes).toBe(cases.length)
    expect(g.stats.delivered).toBe(0)
  })

  it('sets aside an update the doc already holds before inspecting it, without a strike', () => {
    const doc = new Y.Doc()
    const g = new PeerGuard({ now: clock().now, held: (u) => updateHeld(doc, u) })
    const update = blocksUpdate(2, 500)
    const fresh = syncMessage(2, update)
    expect(g.receive(fresh)).toEqual({ deliver: fresh })
    Y.applyUpdate(doc, update)
    expect(g.receive(syncMessage(2, update))).toEqual({ duplicate: true })
    // a sync step 2 is delivered all the same: y-webrtc marks the connection synced on it
    const step2 = syncMessage(1, update)
    expect(g.receive(step2)).toEqual({ deliver: step2 })
    expect(g.stats).toMatchObject({ delivered: 2, updates: 2, duplicates: 1, strikes: 0 })
  })

  it('routes catch-up messages apart from y-webrtc’s', () => {
    const g = new PeerGuard({ now: clock().now })
    const want = encodeWant([toHex(new Uint8Array(32))])
    expect(want[0]).toBe(CATCH_UP)
    expect(g.receive(want)).toEqual({ catchUp: want })
  })

  it('rate-limits messages, bytes and requests for full replies per peer', () => {
    const c = clock()
    const g = new PeerGuard({
      now: c.now,
      limits: { messagesPerSecond: 10, messageBurst: 10, fullRepliesPerMinute: 6, fullReplyBurst: 2 },
    })
    const small = syncMessage(2, blocksUpdate(1, 10))
    for (let i = 0; i < 10; i++) expect('deliver' in g.receive(small)).toBe(true)
    expect(g.receive(small)).toEqual({ drop: 'rate-messages' })
    c.advance(1000)
    expect('deliver' in g.receive(small)).toBe(true)
    const step1 = syncStep1(Y.encodeStateVector(new Y.Doc()))
    expect('deliver' in g.receive(step1)).toBe(true)
    expect('deliver' in g.receive(new Uint8Array([3]))).toBe(true)
    expect(g.receive(step1)).toEqual({ drop: 'rate-full-reply' })
    c.advance(10_000)
    expect('deliver' in g.receive(step1)).toBe(true)

    const b = new PeerGuard({ now: c.now, limits: { bytesPerSecond: 1000, byteBurst: 1000 } })
    expect(b.receive(new Uint8Array(1001))).toEqual({ drop: 'rate-bytes' })
  })

  it('bounds the distinct Yjs client ids one connection may bring in (rotating client ids, THREATS row 21)', () => {
    const g = new PeerGuard({ now: clock().now, limits: { maxClientIds: 8 } })
    // an honest peer writes many updates under one client id: always delivered
    const honest = seededDoc(rng)
    for (let i = 0; i < 20; i++) {
      honest.getMap(BLOCKS_MAP).set(key(), rng.bytes(8))
      expect('deliver' in feed(g, syncMessage(2, Y.encodeStateAsUpdate(honest)))[0]!).toBe(true)
    }
    // fresh client ids: the first ones pass, then every update with a new one is dropped
    const verdicts = Array.from({ length: 12 }, () => feed(g, syncMessage(2, blocksUpdate(1, 8)))[0]!)
    expect(verdicts.filter((v) => 'deliver' in v)).toHaveLength(7)
    expect(verdicts.slice(7).every((v) => 'drop' in v && v.drop === 'too-many-clients')).toBe(true)
    // the client ids already admitted keep working
    honest.getMap(BLOCKS_MAP).set(key(), rng.bytes(8))
    expect('deliver' in feed(g, syncMessage(2, Y.encodeStateAsUpdate(honest)))[0]!).toBe(true)
  })

  it('asks for the connection to be closed after too many strikes', () => {
    const g = new PeerGuard({ now: clock().now, limits: { maxStrikes: 3 } })
    for (let i = 0; i < 3; i++) g.receive(new Uint8Array([9]))
    expect(g.shouldDisconnect).toBe(true)
  })
})

/** A stand-in for y-webrtc's WebrtcConn with a simple-peer-like EventEmitter. */
function fakeConn(doc: Y.Doc) {
  const peer = Object.assign(new EventEmitter(), {
    sent: [] as Uint8Array[],
    send(m: Uint8Array) {
      peer.sent.push(m)
    },
    _channel: { bufferedAmount: 0 },
  })
  const received: Uint8Array[] = []
  // what y-webrtc's listener does with sync messages, minus awareness
  peer.on('data', (m: Uint8Array) => {
    received.push(m)
    const { sub, payload } = readSync(m)
    if (sub === 0) peer.send(syncMessage(1, Y.encodeStateAsUpdate(doc, payload)))
    else Y.applyUpdate(doc, payload, 'remote')
  })
  const conn = { peer, connected: true, destroyed: false, destroy: () => (conn.destroyed = true), received }
  return conn
}

function fakeProvider(doc: Y.Doc) {
  const handlers = new Set<() => void>()
  const provider = {
    doc,
    room: { webrtcConns: new Map<string, ReturnType<typeof fakeConn>>() },
    on: (_: string, f: () => void) => handlers.add(f),
    off: (_: string, f: () => void) => handlers.delete(f),
    emitPeers: () => {
      for (const f of handlers) f()
    },
  }
  return provider
}

describe('guardProvider: y-webrtc connections behind a PeerGuard', () => {
  it('replaces the data listener and the sender of every new connection', () => {
    const docA = seededDoc(rng)
    const docB = seededDoc(rng)
    const pa = fakeProvider(docA)
    const pb = fakeProvider(docB)
    const ga = guardProvider({ provider: pa as unknown as WebrtcProvider, resyncMs: 0 })
    const gb = guardProvider({ provider: pb as unknown as WebrtcProvider, resyncMs: 0 })
    const ca = fakeConn(docA)
    const cb = fakeConn(docB)
    pa.room.webrtcConns.set('b', ca)
    pb.room.webrtcConns.set('a', cb)
    pa.emitPeers()
    pb.emitPeers()
    // wire the two fake connections back to back: what A sends, B's peer emits as data
    const pump = () => {
      for (let moved = true; moved; ) {
        moved = false
        for (const [from, to] of [
          [ca, cb],
          [cb, ca],
        ] as const)
          while (from.peer.sent.length > 0) {
            to.peer.emit('data', from.peer.sent.shift()!)
            moved = true
          }
      }
    }
    // A holds a doc larger than one data-channel message; B asks for it with its state vector
    for (let i = 0; i < 6; i++) docA.getMap(BLOCKS_MAP).set(key(), rng.bytes(60 * 1024))
    cb.peer.send(syncStep1(Y.encodeStateVector(docB)))
    pump()
    expect(ca.peer.sent.length + cb.peer.sent.length).toBe(0)
    expect(docB.getMap(BLOCKS_MAP).size).toBe(6)
    expect(ga.report()[0]!.stats.delivered).toBe(1)
    expect(gb.report()[0]!.stats.delivered).toBe(1)
    // garbage from B never reaches A's y-webrtc listener; a flood closes the connection and bans the peer
    const before = ca.received.length
    const beforeB = cb.received.length
    for (let i = 0; i < 120; i++) cb.peer.emit('data', new Uint8Array([0, 2, 3, 0xff, 0xff, 0xff]))
    expect(cb.received.length).toBe(beforeB)
    for (let i = 0; i < 120; i++) ca.peer.emit('data', new Uint8Array([0, 2, 3, 0xff, 0xff, 0xff]))
    expect(ca.received.length).toBe(before)
    expect(ca.destroyed).toBe(true)
    expect([...ga.banned]).toEqual(['b'])
    // the same peer id coming back is refused
    const again = fakeConn(docA)
    pa.room.webrtcConns.set('b', again)
    pa.emitPeers()
    expect(again.destroyed).toBe(true)
    ga.destroy()
    gb.destroy()
  })
})
