// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
import { encodeBase } from '../src/core/snapshot/base.ts'
import { intOption, parseCli } from './cli.ts'
import { frontierScenario } from './frontierScenario.ts'

const USAGE = 'usage: npm run bench:frontier -- [--ops N] [--participants P] [--every N] [--json]'
const values = parseCli(USAGE, {
  ops: { type: 'string', default: '200000' },
  participants: { type: 'string', default: '4' },
  every: { type: 'string', default: '20000' },
  json: { type: 'boolean', default: false },
})
const OPS = intOption(USAGE, 'ops', values.ops)
const P = intOption(USAGE, 'participants', values.participants)
const EVERY = intOption(USAGE, 'every', values.every)
const json = values.json

const gc = (globalThis as { gc?: () => void }).gc
const heap = () => {
  gc?.()
  return process.memoryUsage().heapUsed
}

let before = 0
const { replicas: reps, step } = frontierScenario(P, () => {
  before = heap()
})
let ops = 0
const rows: Record<string, number>[] = []
const t0 = performance.now()
while (ops < OPS) {
  ops = step(OPS)
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
