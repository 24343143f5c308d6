// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
import { MIXES, type Mix } from '../src/core/sim/perpOps.ts'
import { simulate } from '../src/core/sim/simulate.ts'
import { parseCli } from './cli.ts'

/**
 * npm run sim -- --participants N --ops M --byzantine B --silent S --seed X [--quorum Q] [--mix spot,perps,lending,amm] [--ref-depth D] [--json]
 * Prints a summary (or, with --json, one JSON object as the last line). Exits 1 when honest replicas diverge,
 * when a final op was reversed or final prefixes conflict inside the fault model, or when, beyond it, a conflict
 * comes without evidence against at least 2q − n participants.
 */
const USAGE =
  'usage: npm run sim -- --participants N --ops M --byzantine B --silent S --seed X [--quorum Q] [--mix spot,perps,lending,amm] [--ref-depth D] [--json]'
const values = parseCli(USAGE, {
  participants: { type: 'string', default: '10' },
  ops: { type: 'string', default: '20000' },
  byzantine: { type: 'string', default: '2' },
  silent: { type: 'string', default: '0' },
  quorum: { type: 'string' },
  seed: { type: 'string' },
  mix: { type: 'string', default: 'spot' },
  'ref-depth': { type: 'string' },
  json: { type: 'boolean', default: false },
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
const participants = num('participants', values.participants)
const byzantine = num('byzantine', values.byzantine)
const silent = num('silent', values.silent)
if (byzantine + silent >= participants) {
  console.error('--byzantine plus --silent must be fewer than --participants')
  process.exit(2)
}
const mix = values.mix.split(',').map((m) => m.trim())
for (const m of mix)
  if (!(MIXES as readonly string[]).includes(m)) {
    console.error(`--mix takes a comma-separated list of ${MIXES.join(', ')}; got ${m}`)
    process.exit(2)
  }
// timing lives here, not in the simulator: the core reads no clock
const t0 = performance.now()
const run = simulate({
  participants,
  ops: num('ops', values.ops),
  byzantine,
  silent,
  seed,
  mix: mix as Mix[],
  ...(values.quorum === undefined ? {} : { quorum: num('quorum', values.quorum) }),
  ...(values['ref-depth'] === undefined ? {} : { refDepth: num('ref-depth', values['ref-depth']) }),
})
const wallMs = Math.round(performance.now() - t0)
const result = { ...run, wallMs, opsPerSec: Math.round(run.opApplications / (wallMs / 1000)) }
const safe = run.withinFaultModel
  ? run.finalReversals === 0 && !run.conflictingFinal && run.divergedHonest.length === 0
  : !run.conflictingFinal || run.provablyFaulty.length >= 2 * run.quorum - run.participants
const ok = run.converged && run.replayMatches && safe
if (values.json) console.log(JSON.stringify(result))
else {
  console.log(
    `[${run.mix.join(',')}] ${run.converged ? 'converged' : 'DIVERGED'}${run.replayMatches ? '' : ' (a fresh replay differs)'}: ${run.honest}/${run.participants} honest (q=${run.quorum}), ` +
      `${run.finalOps} of ${run.honestOps} honest ops final everywhere, ${run.finalReversals} reversals, ` +
      `latency p50/p95 ${run.finalLatencyRounds.p50}/${run.finalLatencyRounds.p95} rounds, ` +
      `provably faulty [${run.provablyFaulty.join(', ')}], ${run.rejected} blocks refused, ` +
      `${run.certifiedCheckpoints} certified checkpoint(s), ${run.rounds} rounds, ${wallMs} ms`,
  )
  console.log(`state root ${run.roots[0]}`)
  if (!ok)
    console.log(
      `replay with: npm run sim -- --seed ${seed} --participants ${participants} --ops ${run.ops} --byzantine ${byzantine} --silent ${silent} --mix ${run.mix.join(',')}`,
    )
}
process.exit(ok ? 0 : 1)
