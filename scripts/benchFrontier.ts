// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
/**
 * Retained bytes per op over a long run with pruning (issue #8, the bounded frontier):
 *
 * npm run bench:frontier -- [--ops N] [--participants P] [--every K] [--json]
 *
 * P replicas in lockstep (runToQuiet) submit random transfers, 400 per channel-clock second; a checkpoint every
 * 10 s of channel clock; every replica prunes at each certified checkpoint. Every K ops it reports the pruned base
 * of replica 0 (its stubs, its bytes with and without the checkpoint list) and the heap retained by all P replicas
 * after a forced GC, per op so far. Flat stubs and flat base bytes besides the checkpoints are the rule at work.
 * Last line: JSON.
 */
import { OpTag } from '../src/core/ops.ts'
import { BatchFullError, Replica } from '../src/core/replica.ts'
import { Rng } from '../src/core/sim/rng.ts'
import { encodeBase } from '../src/core/snapshot/base.ts'
import { makeTestChannel, runToQuiet, testDeposits } from '../src/core/testing.ts'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1]! : fallback
}
const OPS = Number(arg('ops', '200000'))
const P = Number(arg('participants', '4'))
const EVERY = Number(arg('every', '20000'))
const json = args.includes('--json')

const gc = (globalThis as { gc?: () => void }).gc
const heap = () => {
  gc?.()
  return process.memoryUsage().heapUsed
}

const tc = makeTestChannel({ participants: P, label: 'bench-frontier' })
const deposits = testDeposits(P, 2, 10n ** 15n)
const before = heap()
const reps = tc.members.map(
  (m) =>
    new Replica(tc.channel, {
      ignoreForcedQueue: true,
      author: { index: m.index, sessionKey: m.sessionKey },
      deposits,
      leaderWaitMs: 0,
      maxBatchOps: 256,
    }),
)
const rng = new Rng(1)
let now = 0
let ops = 0
const rows: Record<string, number>[] = []
const t0 = performance.now()
while (ops < OPS) {
  for (let i = 0; i < 400 && ops < OPS; i++) {
    const a = rng.int(0, P)
    try {
      reps[a]!.submit({ tag: OpTag.Transfer, to: (a + 1) % P, token: rng.int(0, 2), amount: 1n }, now)
      ops++
    } catch (e) {
      if (!(e instanceof BatchFullError)) throw e
    }
  }
  now += 1000
  runToQuiet(reps, now)
  for (const r of reps) r.prune()
  if (ops % EVERY === 0) {
    const base = reps[0]!.base()
    if (!base) continue
    const row = {
      ops,
      rounds: reps[0]!.dag.maxRound,
      checkpoints: Number(reps[0]!.latestCheckpointVersion),
      checkpointsHeld: reps[0]!.heldCheckpoints().length,
      pruned: reps[0]!.prunedCount,
      stubs: base.frontier.length,
      baseBytes: encodeBase(base).length,
      baseBytesBesidesCheckpoints: encodeBase({ ...base, checkpoints: [] }).length,
      retainedBytesPerOp: Math.round((heap() - before) / ops / P),
    }
    rows.push(row)
    if (!json) console.log(JSON.stringify(row))
  }
}
const result = { ops: OPS, participants: P, ms: Math.round(performance.now() - t0), rows }
console.log(JSON.stringify(result))
