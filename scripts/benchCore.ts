// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { leaderOf } from '../src/core/leaders.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../src/core/ops.ts'
import { Replica } from '../src/core/replica.ts'
import { Rng } from '../src/core/sim/rng.ts'
import { testDeposits } from '../src/core/testing.ts'
import {
  BENCH_MIXES,
  type BenchMix,
  benchChannel,
  DEPOSIT,
  makeStream,
  RoundWriter,
  type Stream,
} from './benchStream.ts'
import { intOption, parseCli, usageError } from './cli.ts'

/**
 * npm run bench:core -- [--json] [--ops N] [--block K] [--runs R] [--participants 2,10,100]
 *   [--mix spot,perps,lending,amm,all]
 *
 * One row per (module mix, participant count); `mix` names the op module the stream exercises: `spot` (transfers,
 * spot limit/market orders, cancels) or `perps` (margin deposits, oracle prices, perp limit/market orders, cancels,
 * liquidation attempts, transfers) on the same engine, `lending` (supplies, borrows, repays, withdrawals, liquidation
 * attempts, beside transfers and the spot book), `amm` (liquidity with fee votes, swaps both ways, removals, beside
 * transfers and the spot book), or `all` (one channel with every module, each op from one of the four).
 * For 2, 10 and 100 participants: pre-builds a signed round-based DAG (every author one block per round, each
 * referencing the previous round's blocks, a quorum and more) with a realistic op mix (transfers, limit orders,
 * market orders, cancels), then times a fresh replica ingesting it — decode, signature verification of every
 * block, DAG rules, the commit rule, final order, fold. The stream ends with empty rounds, so the replica must
 * finalize every op; each row reports what became final. Compares with a plain Yjs app carrying the same ops (one
 * Y.Map set per op, the update applied to a second doc, no signatures or validation), measures local confirm
 * latency (submit → visible in the author's state) and retained memory per op. Medians over --runs.
 */
const USAGE =
  'usage: npm run bench:core -- [--json] [--ops N] [--block K] [--runs R] [--participants 2,10,100] [--mix spot,perps,lending,amm,all]'
const values = parseCli(USAGE, {
  json: { type: 'boolean', default: false },
  ops: { type: 'string', default: '200000' },
  block: { type: 'string', default: '512' },
  runs: { type: 'string', default: '3' },
  participants: { type: 'string', default: '2,10,100' },
  mix: { type: 'string', default: BENCH_MIXES.join(',') },
  'memory-of': { type: 'string' },
})
const TOTAL = intOption(USAGE, 'ops', values.ops)
const BLOCK = intOption(USAGE, 'block', values.block)
const RUNS = intOption(USAGE, 'runs', values.runs)
const MIXES = values.mix.split(',').map((m) => {
  if (!(BENCH_MIXES as readonly string[]).includes(m))
    usageError(USAGE, `--mix: unknown mix '${m}' (one of ${BENCH_MIXES.join(', ')})`)
  return m as BenchMix
})

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
function percentile(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

function ingest(stream: Stream, P: number): { ms: number; replica: Replica } {
  // checkpoints every 10 s of channel clock (50 ms a round): the measured replica derives them as it commits
  const replica = new Replica(stream.tc.channel, {
    ignoreForcedQueue: true,
    deposits: testDeposits(P, 2, DEPOSIT),
  })
  const t0 = performance.now()
  const chunk = 16
  for (let i = 0; i < stream.blocks.length; i += chunk) {
    const res = replica.receiveMany(stream.blocks.slice(i, i + chunk))
    for (const r of res)
      if (r.status !== 'accepted') throw new Error(`bench block not accepted: ${JSON.stringify(r)}`)
  }
  return { ms: performance.now() - t0, replica }
}

function yjsRun(stream: Stream): number {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const map = a.getMap<Record<string, unknown>>('ops')
  const updates: Uint8Array[] = []
  a.on('update', (u: Uint8Array) => updates.push(u))
  const t0 = performance.now()
  let k = 0
  for (let bi = 0; bi < stream.ops.length; bi++) {
    const author = stream.authors[bi]!
    a.transact(() => {
      for (const op of stream.ops[bi]!) {
        // a record as a plain app would store it: JSON-friendly fields, amounts as strings
        const rec: Record<string, unknown> = { author, tag: op.tag }
        for (const [key, v] of Object.entries(op))
          if (key !== 'tag') rec[key] = typeof v === 'bigint' ? v.toString() : v
        map.set(`${author}:${k++}`, rec)
      }
    })
    while (updates.length > 0) Y.applyUpdate(b, updates.shift()!)
  }
  const ms = performance.now() - t0
  if (b.getMap('ops').size !== k) throw new Error('yjs replica incomplete')
  return ms
}

/** Ops in the final prefix of the order, checkpoint signatures (which replicas add themselves) left out. */
function finalOps(replica: Replica): number {
  let n = 0
  for (let i = 0; i < replica.finalCount; i++)
    for (const op of replica.order[i]!.block.ops) if (op.tag !== OpTag.Checkpoint) n++
  return n
}

/**
 * Local confirm latency: submit → applied to the author's own state. Every BLOCK ops the author seals its block of
 * the next round and a quorum of other participants (signed outside the timed section) completes the round, so
 * rounds, commits and checkpoints happen along the way as in a live channel.
 */
function confirmLatency(P: number, mix: BenchMix): number[] {
  const tc = benchChannel(P, mix)
  const deposits = testDeposits(P, 2, DEPOSIT)
  const me = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index: 0, sessionKey: tc.members[0]!.sessionKey },
    deposits,
    maxBatchOps: BLOCK,
    leaderWaitMs: 0,
  })
  const q = tc.channel.config.threshold
  const writer = new RoundWriter(tc)
  let now = 0
  const nextRound = () => {
    now += 50
    const sealed = me.tick(now)
    if (!sealed) throw new Error(`round ${writer.round}: the author could not seal`)
    const own = me.latest[0]!
    writer.note(0, own.id, BigInt(own.seq))
    // authors 1 … q − 1 complete the round (the round's leader among them when it is not the author)
    const others = Array.from({ length: q - 1 }, (_, i) => i + 1)
    const leader = leaderOf(writer.round, P)
    if (leader !== 0 && !others.includes(leader)) others[others.length - 1] = leader
    const blocks = others.map((a) => writer.block(a, []).bytes)
    writer.next()
    for (const r of me.receiveMany(blocks))
      if (r.status !== 'accepted') throw new Error(`latency round block not accepted: ${JSON.stringify(r)}`)
  }
  const rng = new Rng(7)
  const samples: number[] = []
  const all = mix === 'all'
  const perps = mix === 'perps' || all
  const amm = mix === 'amm' || all
  const lending = mix === 'lending' || all
  if (amm)
    me.submit(
      {
        tag: OpTag.AmmAdd,
        market: 0,
        baseMax: DEPOSIT / 10n,
        quoteMax: DEPOSIT / 10n,
        minShares: 0n,
        voteBps: 30,
      },
      now,
    )
  // perps: the author (participant 0, the oracle) posts an index price and moves margin in first
  if (perps) {
    me.submit({ tag: OpTag.OraclePrice, market: 1, price: 100n }, now)
    me.submit({ tag: OpTag.MarginDeposit, amount: DEPOSIT / 2n }, now)
  }
  // lending: the author (also the lending oracle) prices token 0 and supplies both tokens first
  if (lending) {
    me.submit({ tag: OpTag.OraclePrice, market: 0, price: 100n }, now)
    for (const token of [0, 1]) me.submit({ tag: OpTag.LendSupply, token, amount: DEPOSIT / 10n }, now)
  }
  const setupOps = me.pendingOps
  // the timed op's module: the mix's own, or for `all` each of the four in turn
  const modules = all ? ['spot', 'perps', 'lending', 'amm'] : [mix]
  for (let i = 0; i < 20_000; i++) {
    if (me.pendingOps >= BLOCK) nextRound()
    const side = rng.next() < 0.5 ? Side.Buy : Side.Sell
    const price = BigInt(rng.int(95, 106))
    const module = modules[i % modules.length]
    const op: Op =
      rng.next() < 0.3
        ? { tag: OpTag.Transfer, to: 1, token: rng.int(0, 2), amount: 1n }
        : module === 'amm'
          ? { tag: OpTag.AmmSwap, market: 0, side, amountIn: 1_000n, minOut: 0n, deadline: (1n << 64n) - 1n }
          : module === 'lending'
            ? {
                tag: Math.floor(i / modules.length) % 2 === 0 ? OpTag.LendBorrow : OpTag.LendRepay,
                token: rng.int(0, 2),
                amount: 1_000n,
              }
            : module === 'perps'
              ? {
                  tag: OpTag.PerpPlace,
                  market: 1,
                  side,
                  kind: OrderKind.Limit,
                  tif: TimeInForce.GTC,
                  reduceOnly: false,
                  price,
                  qty: 1n,
                }
              : {
                  tag: OpTag.Place,
                  market: 0,
                  side,
                  kind: OrderKind.Limit,
                  tif: TimeInForce.GTC,
                  price,
                  qty: 1n,
                }
    const t0 = performance.now()
    me.submit(op, now)
    samples.push(performance.now() - t0)
  }
  // the latency run must have committed too, or it measured a replica that never finalizes
  for (let k = 0; finalOps(me) < samples.length + setupOps; k++) {
    if (k > 10) throw new Error(`latency run finalized ${finalOps(me)} of ${samples.length} ops`)
    nextRound()
  }
  return samples
}

/**
 * Retained memory of one replica holding the whole stream (wire bytes, decoded ops, DAG, state, trade log), in a
 * fresh process so no other run's garbage or live objects sit in the baseline.
 */
function measureMemory(P: number, mix: BenchMix): number | null {
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--memory-of',
      String(P),
      '--ops',
      String(TOTAL),
      '--block',
      String(BLOCK),
      '--mix',
      mix,
    ],
    { encoding: 'utf8' },
  )
  const line = r.stdout.trim().split('\n').pop() ?? ''
  const n = Number(line)
  return Number.isFinite(n) && line !== '' ? n : null
}

const gc = (globalThis as { gc?: () => void }).gc
/** live JS heap plus ArrayBuffer backing stores (block bytes live there) */
const retained = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}
if (values['memory-of']) {
  const P = Number(values['memory-of'])
  const stream = makeStream(P, TOTAL, 42, BLOCK, MIXES[0])
  const opsTotal = stream.ops.reduce((s, o) => s + o.length, 0)
  gc?.()
  gc?.()
  const before = retained()
  // copies: the replica keeps the wire bytes it received, and those must count
  const replica = ingest({ ...stream, blocks: stream.blocks.map((b) => b.slice()) }, P).replica
  gc?.()
  gc?.()
  const after = retained()
  if (replica.order.length !== stream.blocks.length) throw new Error('replica did not accept every block')
  console.log(Math.round((after - before) / opsTotal))
  process.exit(0)
}

const results = []
for (const mix of MIXES)
  for (const P of values.participants.split(',').map((p) => intOption(USAGE, 'participants', p, 2))) {
    const stream = makeStream(P, TOTAL, 42, BLOCK, mix)
    const opsTotal = stream.ops.reduce((s, o) => s + o.length, 0)
    const bytesPerOp = measureMemory(P, mix)
    const ours: number[] = []
    const yjs: number[] = []
    let final = { blocks: 0, ops: 0, leaders: 0, checkpoints: 0 }
    for (let r = 0; r < RUNS; r++) {
      const { ms, replica } = ingest(stream, P)
      ours.push(ms)
      const { applied, skipped } = replica.opCounts()
      if (applied + skipped !== opsTotal) throw new Error('replica did not apply every op')
      final = {
        blocks: replica.finalCount,
        ops: finalOps(replica),
        leaders: replica.leaders.length,
        checkpoints: Number(replica.latestCheckpointVersion),
      }
      // the stream ends with empty rounds: everything carrying ops must be final, in the order the shadow saw
      if (final.ops !== opsTotal) throw new Error(`replica finalized ${final.ops} of ${opsTotal} ops`)
      if (replica.finalState().tradeCount !== stream.shadow.tradeCount)
        throw new Error('final state differs from the shadow state the stream was generated against')
      if (!values.json && r === 0) {
        const reasons: Record<number, number> = {}
        for (const node of replica.order) for (const x of node.results) reasons[x] = (reasons[x] ?? 0) + 1
        console.log({
          mix,
          P,
          applied,
          skipped,
          trades: replica.state.tradeCount,
          blocks: replica.order.length,
          rounds: stream.rounds,
          final,
          reasons,
        })
      }
      yjs.push(yjsRun(stream))
    }
    const lat = confirmLatency(P, mix)
    const opsPerSec = Math.round(opsTotal / (median(ours) / 1000))
    const yjsOpsPerSec = Math.round(opsTotal / (median(yjs) / 1000))
    const row = {
      mix,
      participants: P,
      ops: opsTotal,
      blockOps: BLOCK,
      quorum: stream.tc.channel.config.threshold,
      blocks: stream.blocks.length,
      rounds: stream.rounds,
      finalBlocks: final.blocks,
      finalOps: final.ops,
      leaders: final.leaders,
      checkpoints: final.checkpoints,
      opsPerSec,
      yjsOpsPerSec,
      overhead: Math.round((yjsOpsPerSec / opsPerSec) * 100) / 100,
      confirmP50Ms: Math.round(percentile(lat, 50) * 1000) / 1000,
      confirmP99Ms: Math.round(percentile(lat, 99) * 1000) / 1000,
      confirmP999Ms: Math.round(percentile(lat, 99.9) * 1000) / 1000,
      confirmMaxMs: Math.round(Math.max(...lat) * 1000) / 1000,
      bytesPerOp,
    }
    results.push(row)
    if (!values.json) console.log(row)
  }
console.log(JSON.stringify({ results }))
