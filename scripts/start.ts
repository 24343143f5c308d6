import { simulate } from '../src/core/sim/simulate.ts'

/**
 * `npm start` until the browser app lands: runs the channel core end to end — ten replicas, two of them
 * Byzantine, twenty thousand ops over a lossy, reordering, partitioning in-memory network — and reports
 * whether every honest replica reached the same state.
 */
const seed = (Date.now() ^ (process.pid << 8)) >>> 0
console.log(`Simulating a 10-participant channel (2 Byzantine), 20,000 ops, seed ${seed} …`)
const r = simulate({ participants: 10, ops: 20_000, byzantine: 2, seed })
console.log(
  `${r.converged ? 'All honest replicas converged' : 'DIVERGED'}: root ${r.roots[0]}\n` +
    `  ${r.opsApplied} ops applied, ${r.opsSkipped} skipped with a reason, ${r.blocks} blocks\n` +
    `  equivocators detected by everyone: [${r.equivocators.join(', ')}]\n` +
    `  ${r.rejected} invalid blocks refused at ingress: ${JSON.stringify(r.rejectedByReason)}\n` +
    `  ${r.finalCheckpoints} threshold checkpoint(s) final, ${r.wallMs} ms`,
)
process.exit(r.converged ? 0 : 1)
