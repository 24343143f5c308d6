import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import * as encoding from 'lib0/encoding'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import * as Y from 'yjs'
import { startRelay } from '../../scripts/relay.ts'
import { toHex } from '../core/bytes.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { Reject } from '../core/reasons.ts'
import { Replica } from '../core/replica.ts'
import { Rng } from '../core/sim/rng.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { BLOCKS_MAP, ChannelDoc } from './channelDoc.ts'
import { type JoinRelayParameters, joinRelay, type RelayLink, relayDocName } from './relay.ts'
import { RelayGuard } from './relayGuard.ts'

const N = 3
const AMOUNT = 1_000_000n
const tc = makeTestChannel({ participants: N, label: 'relay' })
const deposits = testDeposits(N, 2, AMOUNT)
const NAME = relayDocName('chx-room', 'password')

/** A participant in this process: the replica seals when its round opens (a 2 ms tick), then publishes. */
type Peer = {
  doc: Y.Doc
  replica: Replica
  cd: ChannelDoc
  session: { submit(op: Op): void }
  link: RelayLink
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function peer(index: number, url: string, relay: Partial<JoinRelayParameters> = {}): Peer {
  const doc = new Y.Doc()
  const replica = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    deposits,
  })
  const cd = new ChannelDoc({ doc, replica, ownAuthor: index, schedule: (f) => setTimeout(f, 0) })
  const tick = () => {
    const sealed = replica.tick(Date.now())
    if (sealed) cd.publishOwn(sealed)
  }
  const timer = setInterval(tick, 2)
  const session = {
    submit(op: Op) {
      const { sealed } = replica.submit(op, Date.now())
      if (sealed) cd.publishOwn(sealed)
      tick()
    },
  }
  const link = joinRelay({ url, name: NAME, doc, WebSocket, resyncMs: 300, ...relay })
  const p = { doc, replica, cd, session, link }
  cleanups.push(() => {
    clearInterval(timer)
    link.destroy()
    cd.destroy()
    doc.destroy()
  })
  return p
}

/** Participant i sends (i + 1) × k units of token 0 to participant i + 1: the end balances do not depend on order. */
async function trade(peers: Peer[], k: number): Promise<void> {
  for (let round = 0; round < k; round++) {
    for (const [i, p] of peers.entries())
      p.session.submit({ tag: OpTag.Transfer, to: (i + 1) % N, token: 0, amount: BigInt(i + 1) })
    await sleep(20)
  }
}

const expected = (k: number) =>
  Array.from({ length: N }, (_, i) => AMOUNT - BigInt((i + 1) * k) + BigInt((((i + N - 1) % N) + 1) * k))

async function converged(peers: Peer[], ops: number, ms = 30_000): Promise<string> {
  const end = Date.now() + ms
  for (;;) {
    const roots = peers.map((p) => toHex(p.replica.stateRoot()))
    const final = peers.map((p) => p.replica.finalCount)
    const done = roots.every((r) => r === roots[0]) && peers.every((p) => finalTransfers(p) >= ops)
    if (done) return roots[0]!
    if (Date.now() > end)
      throw new Error(
        `no convergence: roots ${roots.join(' ')} final ${final} transfers ${peers.map(finalTransfers)} pending ${peers.map((p) => p.replica.pendingOps)} links ${peers.map((p) => `${p.link.status()}/${p.link.guard.stats.strikes}`)}`,
      )
    await sleep(50)
  }
}

/** Transfers applied in the final prefix of the order. */
function finalTransfers(p: Peer): number {
  let n = 0
  for (const node of p.replica.order.slice(0, p.replica.finalCount))
    node.block.ops.forEach((op, i) => {
      if (op.tag === OpTag.Transfer && node.results[i] === Reject.None) n++
    })
  return n
}

async function waitUntil(f: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(20)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function holdings(p: Peer): bigint[] {
  return Array.from({ length: N }, (_, i) => p.replica.finalState().holdings(i, 0))
}

// ─── a relay that lies ────────────────────────────────────────────────────────────────────────────────────────

/** `name ‖ type ‖ payload` as Hocuspocus frames it. */
function hpMessage(name: string, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarString(e, name)
  write(e)
  return encoding.toUint8Array(e)
}

/** A Yjs update from a made-up client that sets `key` in root map `root` to `value`. */
function forgedUpdate(root: string, key: string, value: unknown, rng: Rng): Uint8Array {
  const d = new Y.Doc()
  d.clientID = rng.u32()
  d.getMap(root).set(key, value)
  const u = Y.encodeStateAsUpdate(d)
  d.destroy()
  return u
}

function syncUpdate(name: string, update: Uint8Array): Uint8Array {
  return hpMessage(name, (e) => {
    encoding.writeVarUint(e, 0)
    encoding.writeVarUint(e, 2)
    encoding.writeVarUint8Array(e, update)
  })
}

type EvilOptions = { seed: number; drop: number; replay: number; reorder: boolean; forge: boolean }

/**
 * A WebSocket proxy in front of a real relay that tampers with what the relay sends to clients: drops messages,
 * replays earlier ones, delivers them in a shuffled order, and injects forgeries (garbage under a block key,
 * honest blocks with a flipped signature byte or under another block's key, values of the wrong kind, foreign
 * root types, messages for another document, unknown message types).
 */
async function evilRelay(upstream: string, o: EvilOptions) {
  const rng = new Rng(o.seed)
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((r) => wss.once('listening', r))
  const seen: Uint8Array[] = []
  const stats = { forwarded: 0, dropped: 0, replayed: 0, forged: 0 }
  wss.on('connection', (client) => {
    const up = new WebSocket(upstream)
    const early: Buffer[] = []
    up.on('open', () => {
      for (const m of early.splice(0)) up.send(m)
    })
    client.on('message', (m: Buffer) => (up.readyState === up.OPEN ? up.send(m) : early.push(m)))
    let held: Uint8Array[] = []
    const out = (m: Uint8Array) => client.readyState === client.OPEN && client.send(m)
    const flush = () => {
      const batch = held
      held = []
      for (let i = batch.length - 1; i > 0; i--) {
        const j = rng.int(0, i + 1)
        ;[batch[i], batch[j]] = [batch[j]!, batch[i]!]
      }
      for (const m of batch) out(m)
    }
    const timer = setInterval(() => {
      if (o.reorder) flush()
      if (!o.forge) return
      // one forgery per tick, of a kind chosen by the seed
      const honest = seen.length > 0 ? seen[rng.int(0, seen.length)] : undefined
      const someKey = `0x${toHex(new Uint8Array(32).map(() => rng.int(0, 256))).slice(2)}`
      let forged: Uint8Array
      switch (rng.int(0, 6)) {
        case 0:
          forged = syncUpdate(NAME, forgedUpdate(BLOCKS_MAP, someKey, new Uint8Array(200).fill(7), rng))
          break
        case 1:
          forged = syncUpdate(NAME, forgedUpdate(BLOCKS_MAP, someKey, 'not bytes', rng))
          break
        case 2:
          forged = syncUpdate(NAME, forgedUpdate('evil', 'x', new Uint8Array(4), rng))
          break
        case 3:
          forged = syncUpdate('another-doc', forgedUpdate(BLOCKS_MAP, someKey, new Uint8Array(4), rng))
          break
        case 4:
          forged = hpMessage(NAME, (e) => encoding.writeVarUint(e, 42))
          break
        default:
          forged = honest ?? hpMessage(NAME, (e) => encoding.writeVarUint(e, 5))
      }
      stats.forged++
      out(forged)
    }, 15)
    up.on('message', (m: Buffer) => {
      const bytes = new Uint8Array(m)
      seen.push(bytes)
      if (rng.int(0, 1000) < o.drop * 1000) {
        stats.dropped++
        return
      }
      stats.forwarded++
      if (o.reorder) held.push(bytes)
      else out(bytes)
      if (seen.length > 1 && rng.int(0, 1000) < o.replay * 1000) {
        stats.replayed++
        out(seen[rng.int(0, seen.length)]!)
      }
    })
    const close = () => {
      clearInterval(timer)
      client.close()
      up.close()
    }
    client.on('close', close)
    up.on('close', close)
    up.on('error', close)
  })
  const port = (wss.address() as { port: number }).port
  return {
    url: `ws://127.0.0.1:${port}`,
    stats,
    stop: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate()
        wss.close(() => r())
      }),
  }
}

describe('relay transport (Hocuspocus on 127.0.0.1)', () => {
  it('three participants reach one state root through an honest relay', async () => {
    const relay = await startRelay({ port: 0 })
    cleanups.push(relay.stop)
    const peers = [0, 1, 2].map((i) => peer(i, relay.url))
    await trade(peers, 10)
    await converged(peers, 3 * 10)
    for (const p of peers) expect(holdings(p)).toEqual(expected(10))
    for (const p of peers) expect(p.link.guard.stats.strikes).toBe(0)
  })

  it('a relay that drops, replays, reorders and forges changes nothing: same balances, nothing invalid accepted', async () => {
    const relay = await startRelay({ port: 0 })
    cleanups.push(relay.stop)
    const evil = await evilRelay(relay.url, { seed: 8, drop: 0.2, replay: 0.2, reorder: true, forge: true })
    cleanups.push(evil.stop)
    const peers = [0, 1, 2].map((i) => peer(i, evil.url))
    await trade(peers, 10)
    await converged(peers, 3 * 10, 60_000)
    for (const p of peers) {
      expect(holdings(p)).toEqual(expected(10))
      expect(p.replica.equivocators()).toEqual([])
      // every block the replica holds is one of the three participants'
      for (const n of p.replica.order) expect(n.author).toBeLessThan(N)
    }
    expect(evil.stats.dropped).toBeGreaterThan(0)
    expect(evil.stats.replayed).toBeGreaterThan(0)
    expect(evil.stats.forged).toBeGreaterThan(10)
    // the guard refused the structurally foreign messages; ChannelDoc charged the garbage under block keys
    const strikes = peers.reduce((s, p) => s + p.link.guard.stats.strikes, 0)
    const invalid = peers.reduce((s, p) => s + p.cd.stats.invalid, 0)
    expect(strikes).toBeGreaterThan(0)
    expect(invalid).toBeGreaterThan(0)
  })

  // The lying relay above forges a message every 15 ms, about half of them strikes: ~30 strikes a second. A
  // relay past its strike limit used to be closed for the rest of the session, so a peer whose only route it was
  // lost the channel for good once convergence took longer than the limit allowed (seen on loaded CI machines: one
  // peer stuck a few blocks behind). Here the limit (30) is reached within about a second.
  it('a relay past its strike limit is closed for a cool-down, then tried again: its only users still converge', async () => {
    const relay = await startRelay({ port: 0 })
    cleanups.push(relay.stop)
    const evil = await evilRelay(relay.url, { seed: 9, drop: 0.2, replay: 0.2, reorder: true, forge: true })
    cleanups.push(evil.stop)
    const peers = [0, 1, 2].map((i) => peer(i, evil.url, { limits: { maxStrikes: 30 }, banMs: 100 }))
    await trade(peers, 5)
    // every peer's relay went past the limit at least once (stats keep every strike); then trading goes on
    await waitUntil(() => peers.every((p) => p.link.guard.stats.strikes >= 30))
    await trade(peers, 5)
    await converged(peers, 3 * 10, 30_000)
    for (const p of peers) expect(holdings(p)).toEqual(expected(10))
    const bans = peers.reduce((s, p) => s + p.link.bans(), 0)
    expect(bans).toBeGreaterThan(0)
  })

  it('the relay goes down and comes back on the same port: participants catch up', async () => {
    let relay = await startRelay({ port: 0 })
    const port = relay.port
    cleanups.push(() => relay.stop())
    const peers = [0, 1, 2].map((i) => peer(i, relay.url))
    await trade(peers, 3)
    await converged(peers, 9)
    await relay.stop()
    for (const p of peers) await waitUntil(() => p.link.status() !== 'connected')
    // submitted while the relay is down: applied locally, pending
    peers[0]!.session.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n })
    relay = await startRelay({ port })
    await trade(peers, 3)
    await converged(peers, 19)
    const h = holdings(peers[0]!)
    expect(h[0]).toBe(expected(6)[0]! - 1n)
    expect(h[1]).toBe(expected(6)[1]! + 1n)
  })
})

const REDIS = '/usr/bin/redis-server'
const redisAbsent = !existsSync(REDIS)
if (redisAbsent)
  console.warn(`${REDIS} is absent (apt-get install redis-server): skipping the two-relay test`)

describe.skipIf(redisAbsent)('two relay instances behind Redis (Hocuspocus Redis extension)', () => {
  it('participants on different instances reach one state root', async () => {
    const port = await freePort()
    const redis = spawn(
      REDIS,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    )
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          if (redis.exitCode !== null) return r()
          redis.once('exit', () => r())
          redis.kill('SIGTERM')
        }),
    )
    await waitUntilAsync(() => portOpen(port))
    const a = await startRelay({ port: 0, redis: `127.0.0.1:${port}`, name: 'relay-a' })
    cleanups.push(a.stop)
    const b = await startRelay({ port: 0, redis: `127.0.0.1:${port}`, name: 'relay-b' })
    cleanups.push(b.stop)
    const peers = [peer(0, a.url), peer(1, a.url), peer(2, b.url)]
    await trade(peers, 10)
    await converged(peers, 30)
    for (const p of peers) expect(holdings(p)).toEqual(expected(10))
  })
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })

async function waitUntilAsync(f: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await f())) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(50)
  }
}

describe('RelayGuard', () => {
  const guard = () => new RelayGuard({ documentName: NAME, now: () => 0 })

  it('delivers pings, sync and control messages for its document', () => {
    const g = guard()
    expect(g.receive(new Uint8Array([9]))).toEqual({ deliver: true })
    const sv = hpMessage(NAME, (e) => {
      encoding.writeVarUint(e, 0)
      encoding.writeVarUint(e, 0)
      encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()))
    })
    expect(g.receive(sv)).toEqual({ deliver: true })
    expect(g.receive(hpMessage(NAME, (e) => encoding.writeVarUint(e, 8)))).toEqual({ deliver: true })
    expect(g.stats.strikes).toBe(0)
  })

  it('refuses other documents, unknown types, strings, oversized control messages and foreign content', () => {
    const g = guard()
    const rng = new Rng(1)
    expect(g.receive(syncUpdate('other', forgedUpdate(BLOCKS_MAP, 'k', new Uint8Array(1), rng)))).toEqual({
      drop: 'foreign-doc',
    })
    expect(g.receive(hpMessage(NAME, (e) => encoding.writeVarUint(e, 5)))).toEqual({ drop: 'unknown-type' })
    expect(g.receive('text')).toEqual({ drop: 'malformed' })
    expect(
      g.receive(
        hpMessage(NAME, (e) => {
          encoding.writeVarUint(e, 2)
          encoding.writeUint8Array(e, new Uint8Array(2000))
        }),
      ),
    ).toEqual({ drop: 'oversize' })
    expect(g.receive(syncUpdate(NAME, forgedUpdate('evil', 'x', new Uint8Array(1), rng)))).toEqual({
      drop: 'update-foreign-type',
    })
    expect(g.receive(syncUpdate(NAME, forgedUpdate(BLOCKS_MAP, '0x12', new Uint8Array(1), rng)))).toEqual({
      drop: 'update-bad-key',
    })
    expect(g.stats.strikes).toBe(6)
  })

  it('asks for a disconnect past its strike limit', () => {
    const g = new RelayGuard({ documentName: NAME, now: () => 0, limits: { maxStrikes: 3 } })
    for (let i = 0; i < 3; i++) g.receive(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))
    expect(g.shouldDisconnect).toBe(true)
  })
})
