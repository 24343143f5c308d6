import { parseArgs } from 'node:util'
import { simulate } from '../src/core/sim/simulate.ts'

/**
 * npm run sim -- --participants N --ops M --byzantine B --seed S [--json]
 * Prints a summary (or, with --json, one JSON object as the last line); exits 1 when honest replicas diverge.
 */
const { values } = parseArgs({
  options: {
    participants: { type: 'string', default: '10' },
    ops: { type: 'string', default: '20000' },
    byzantine: { type: 'string', default: '2' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
})
const num = (name: string, v: string | undefined) => {
  const x = Number(v)
  if (!Number.isInteger(x) || x < 0) {
    console.error(`--${name} must be a non-negative integer, got ${v}`)
    process.exit(2)
  }
  return x
}
const seed = values.seed === undefined ? (Date.now() ^ (process.pid << 8)) >>> 0 : num('seed', values.seed)
// timing lives here, not in the simulator: the core reads no clock
const t0 = performance.now()
const run = simulate({
  participants: num('participants', values.participants),
  ops: num('ops', values.ops),
  byzantine: num('byzantine', values.byzantine),
  seed,
})
const wallMs = Math.round(performance.now() - t0)
const result = { ...run, wallMs, opsPerSec: Math.round(run.opApplications / (wallMs / 1000)) }
if (values.json) console.log(JSON.stringify(result))
else {
  console.log(
    `${result.converged ? 'converged' : 'DIVERGED'}: ${result.honest}/${result.participants} honest replicas, ` +
      `${result.ops} ops (${result.opsApplied} applied, ${result.opsSkipped} skipped) in ${result.blocks} blocks, ` +
      `equivocators [${result.equivocators.join(', ')}], ${result.rejected} blocks refused at ingress, ` +
      `${result.finalCheckpoints} final checkpoint(s), ${result.wallMs} ms`,
  )
  console.log(`state root ${result.roots[0]}`)
  if (!result.converged)
    console.log(
      `replay with: npm run sim -- --seed ${seed} --participants ${result.participants} --ops ${result.ops} --byzantine ${result.participants - result.honest}`,
    )
}
process.exit(result.converged ? 0 : 1)
