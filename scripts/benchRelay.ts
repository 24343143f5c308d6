// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { toHex } from '../src/core/bytes.ts'
import { OpTag } from '../src/core/ops.ts'
import { Replica } from '../src/core/replica.ts'
import { makeTestChannel, testDeposits } from '../src/core/testing.ts'
import { ChannelDoc } from '../src/sync/channelDoc.ts'
import { joinRelay, relayDocName } from '../src/sync/relay.ts'
import { parseCli } from './cli.ts'
import { startRelay } from './relay.ts'

/**
 * `node --import tsx scripts/benchRelay.ts --participants N --seconds T [--batch K]`: N participants in this
 * process, each with its own Y.Doc, ChannelDoc and Replica, joined only through a Hocuspocus relay on 127.0.0.1
 * (also in this process: one core does everything). Every participant submits K transfers every 5 ms for T
 * seconds; then the run waits until every transfer is final at every participant. Prints JSON as its last line:
 * opsSubmitted, opsPerSecFinal (ops final everywhere / time until they are), block sync latency through the relay
 * (p50/p95 ms, sealed at the author → validated at a receiver) and whether every state root matches.
 */
const USAGE = 'usage: npm run bench:relay -- [--participants N] [--seconds T] [--batch K]'
const values = parseCli(USAGE, {
  participants: { type: 'string', default: '3' },
  seconds: { type: 'string', default: '5' },
  batch: { type: 'string', default: '4' },
})
const N = Number(values.participants)
const T = Number(values.seconds)
const K = Number(values.batch)
const tc = makeTestChannel({ participants: N, label: 'bench-relay' })
const deposits = testDeposits(N, 2, 10n ** 15n)
const relay = await startRelay({ port: 0 })
const name = relayDocName('bench', 'bench')
const sealedAt = new Map<string, number>()
const latencies: number[] = []

const peers = tc.members.map((m) => {
  const doc = new Y.Doc()
  const replica = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index: m.index, sessionKey: m.sessionKey },
    deposits,
  })
  const cd = new ChannelDoc({ doc, replica, ownAuthor: m.index, schedule: (f) => setImmediate(f) })
  let seen = 0
  cd.subscribe(() => {
    const now = performance.now()
    for (; seen < replica.order.length; seen++) {
      const node = replica.order[seen]!
      const t = sealedAt.get(node.hex)
      if (node.author !== m.index && t !== undefined) latencies.push(now - t)
    }
  })
  const publish = (bytes: Uint8Array | undefined) => {
    if (!bytes) return
    const id = cd.publishOwn(bytes)
    sealedAt.set(id, performance.now())
  }
  const link = joinRelay({ url: relay.url, name, doc, WebSocket })
  return { m, replica, cd, link, publish }
})

const start = performance.now()
let submitted = 0
const timer = setInterval(() => {
  for (const p of peers) {
    for (let k = 0; k < K; k++) {
      try {
        const r = p.replica.submit(
          { tag: OpTag.Transfer, to: (p.m.index + 1) % N, token: 0, amount: 1n },
          Date.now(),
        )
        submitted++
        p.publish(r.sealed)
      } catch {
        // batch full until the next round: the flow outruns finality, try again next tick
      }
    }
    p.publish(p.replica.tick(Date.now()))
  }
}, 5)
const ticker = setInterval(() => {
  for (const p of peers) p.publish(p.replica.tick(Date.now()))
}, 2)
await new Promise((r) => setTimeout(r, T * 1000))
clearInterval(timer)
const finalTransfers = (r: Replica) => {
  let n = 0
  for (const node of r.order.slice(0, r.finalCount))
    for (const op of node.block.ops) if (op.tag === OpTag.Transfer) n++
  return n
}
const deadline = performance.now() + 120_000
while (peers.some((p) => finalTransfers(p.replica) < submitted) && performance.now() < deadline)
  await new Promise((r) => setTimeout(r, 20))
const elapsed = (performance.now() - start) / 1000
clearInterval(ticker)
const roots = peers.map((p) => toHex(p.replica.stateRoot()))
const sorted = latencies.sort((a, b) => a - b)
const pct = (q: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * q) / 100))] ?? 0)
const result = {
  participants: N,
  seconds: T,
  opsSubmitted: submitted,
  opsFinalEverywhere: Math.min(...peers.map((p) => finalTransfers(p.replica))),
  opsPerSecFinal: Math.round(Math.min(...peers.map((p) => finalTransfers(p.replica))) / elapsed),
  syncP50Ms: pct(50),
  syncP95Ms: pct(95),
  blocks: peers[0]!.replica.order.length,
  rootsMatch: roots.every((r) => r === roots[0]),
  relayStrikes: peers.reduce((s, p) => s + p.link.guard.stats.strikes, 0),
}
for (const p of peers) p.link.destroy()
await relay.stop()
console.log(JSON.stringify(result))
process.exit(0)
