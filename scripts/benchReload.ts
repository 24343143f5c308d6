/**
 * Reload of a long channel to live, with and without pruning (issue #8):
 *
 * npm run bench:reload -- [--ops N] [--block K] [--participants P] [--mix spot|all] [--json]
 *
 * Builds a valid signed stream of N ops (benchStream.ts), feeds it to a replica that computes checkpoints, has every
 * participant sign the newest one in a block (so it is certified) and prunes there. Then measures, each on a fresh
 * replica: `fullMs`, a reload that replays every stored block (what a reload cost before pruning), and `prunedMs`, a
 * reload from the pruned base (decode, verify the checkpoint's signatures and the snapshot's roots, restore) plus
 * the tail blocks; both end with the same state root (checked). Also reports the stored bytes each reload reads and
 * the heap retained per op after each. Last line: JSON.
 */
import { toHex } from '../src/core/bytes.ts'
import { Replica } from '../src/core/replica.ts'
import { decodeBase, encodeBase } from '../src/core/snapshot/base.ts'
import { BENCH_MIXES, type BenchMix } from './benchStream.ts'
import { intOption, parseCli, usageError } from './cli.ts'
import { prunedFixture } from './reloadFixture.ts'

const USAGE =
  'usage: npm run bench:reload -- [--ops N] [--block K] [--participants P] [--mix spot|perps|lending|amm|all] [--json]'
const values = parseCli(USAGE, {
  ops: { type: 'string', default: '100000' },
  block: { type: 'string', default: '500' },
  participants: { type: 'string', default: '4' },
  mix: { type: 'string', default: 'spot' },
  json: { type: 'boolean', default: false },
})
const OPS = intOption(USAGE, 'ops', values.ops)
const BLOCK = intOption(USAGE, 'block', values.block)
const P = intOption(USAGE, 'participants', values.participants)
if (!(BENCH_MIXES as readonly string[]).includes(values.mix))
  usageError(USAGE, `--mix must be one of ${BENCH_MIXES.join(', ')}, got '${values.mix}'`)
const MIX = values.mix as BenchMix
const json = values.json

const gc = (globalThis as { gc?: () => void }).gc
const heap = () => {
  gc?.()
  return process.memoryUsage().heapUsed
}

const t0 = performance.now()
const { stream, all, base, tail, root, deposits } = prunedFixture(OPS, BLOCK, P, MIX)
const { tc } = stream
const options = { deposits, ignoreForcedQueue: true }
const stored = encodeBase(base)
const built = performance.now() - t0

const before = heap()
let t = performance.now()
const full = new Replica(tc.channel, options)
full.receiveMany(all)
const fullMs = performance.now() - t
if (toHex(full.stateRoot()) !== root) throw new Error('full replay: another state root')
const fullBytesPerOp = (heap() - before) / OPS

const before2 = heap()
t = performance.now()
const reloaded = new Replica(tc.channel, options)
reloaded.restore(decodeBase(stored))
const restoreMs = performance.now() - t
reloaded.receiveMany(tail)
const prunedMs = performance.now() - t
if (toHex(reloaded.stateRoot()) !== root) throw new Error('pruned reload: another state root')
const prunedBytesPerOp = (heap() - before2) / OPS
void full

const size = (list: Uint8Array[]) => list.reduce((s, b) => s + b.length, 0)
const result = {
  ops: OPS,
  participants: P,
  blockOps: BLOCK,
  mix: MIX,
  blocks: all.length,
  prunedBlocks: base.position,
  tailBlocks: tail.length,
  fullMs: Math.round(fullMs),
  prunedMs: Math.round(prunedMs),
  restoreMs: Math.round(restoreMs),
  storedBytesFull: size(all),
  storedBytesPruned: stored.length + size(tail),
  baseBytes: stored.length,
  stateBytes: base.state.length,
  retainedBytesPerOpFull: Math.round(fullBytesPerOp),
  retainedBytesPerOpPruned: Math.round(prunedBytesPerOp),
  loadavg: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
  buildMs: Math.round(built),
}
if (!json)
  console.log(
    `reload of ${OPS} ops (${all.length} blocks): full replay ${result.fullMs} ms, from the pruned base ${result.prunedMs} ms ` +
      `(${result.tailBlocks} tail blocks); stored ${result.storedBytesFull} → ${result.storedBytesPruned} bytes`,
  )
console.log(JSON.stringify(result))
