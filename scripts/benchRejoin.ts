// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
import { Replica } from '../src/core/replica.ts'
import { encodeBase } from '../src/core/snapshot/base.ts'
import { restoreOffered } from '../src/core/snapshot/offeredBase.ts'
import { intOption, parseCli } from './cli.ts'
import { frontierScenario } from './frontierScenario.ts'

/**
 * Catching up from a peer's base (issue #8): the bench:frontier run to `--ops`, then a fresh replica takes replica
 * 0's base as a peer's offer (restoreOffered: size, shape, q signatures, roots) and folds the tail a peer holds past
 * the pruning point, `--runs` times. Prints the base's size, the verify-and-restore time and the tail's, medians.
 */
const USAGE = 'usage: npm run bench:rejoin -- [--ops N] [--participants P] [--runs R] [--json]'
const values = parseCli(USAGE, {
  ops: { type: 'string', default: '100000' },
  participants: { type: 'string', default: '4' },
  runs: { type: 'string', default: '7' },
  json: { type: 'boolean', default: false },
})
const OPS = intOption(USAGE, 'ops', values.ops)
const P = intOption(USAGE, 'participants', values.participants)
const RUNS = intOption(USAGE, 'runs', values.runs)
const json = values.json

const { replicas, step } = frontierScenario(P)
let ops = 0
while (ops < OPS) ops = step(OPS)
const offered = encodeBase(replicas[0]!.base()!)
// the tail: what a peer holds past the pruning point (the run prunes at every certified checkpoint)
const peer = replicas[1]!
const tail = peer.blocksInOrder()
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const restoreMs: number[] = []
const tailMs: number[] = []
let root = ''
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now()
  const v = restoreOffered(
    peer.channel,
    () => new Replica(peer.channel, { ignoreForcedQueue: true }),
    offered,
  )
  const t1 = performance.now()
  if (!v.ok) throw new Error(v.reason)
  v.replica.receiveMany(tail)
  const t2 = performance.now()
  restoreMs.push(t1 - t0)
  tailMs.push(t2 - t1)
  root = Buffer.from(v.replica.stateRoot()).toString('hex')
}
const same = root === Buffer.from(replicas[0]!.stateRoot()).toString('hex')
const result = {
  ops: OPS,
  participants: P,
  baseBytes: offered.length,
  tailBlocks: tail.length,
  restoreMsP50: Math.round(median(restoreMs) * 10) / 10,
  tailMsP50: Math.round(median(tailMs) * 10) / 10,
  sameRoot: same,
}
if (!json)
  console.log(
    `restore ${restoreMs.map((x) => x.toFixed(1)).join(' ')} ms; tail ${tailMs.map((x) => x.toFixed(1)).join(' ')} ms`,
  )
console.log(JSON.stringify(result))
