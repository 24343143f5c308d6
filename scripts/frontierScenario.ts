import { OpTag } from '../src/core/ops.ts'
import { BatchFullError } from '../src/core/replica.ts'
import { Rng } from '../src/core/sim/rng.ts'
import { authoringReplicas, makeTestChannel, runToQuiet, testDeposits } from '../src/core/testing.ts'

/**
 * The long run of bench:frontier and profileFrontier: `participants` replicas in lockstep, 400 random transfers per
 * second of channel clock, every replica pruning at each certified checkpoint. `step(maxOps)` runs one second (400
 * transfers tried, none once `maxOps` were submitted in all) and returns the ops submitted so far; `beforeReplicas`
 * runs once the channel exists, before any replica (bench:frontier's heap baseline).
 */
export function frontierScenario(participants: number, beforeReplicas?: () => void) {
  const tc = makeTestChannel({ participants, label: 'bench-frontier' })
  const deposits = testDeposits(participants, 2, 10n ** 15n)
  beforeReplicas?.()
  const replicas = authoringReplicas(tc, deposits, { maxBatchOps: 256 })
  const rng = new Rng(1)
  let now = 0
  let ops = 0
  const step = (maxOps = Number.POSITIVE_INFINITY): number => {
    for (let i = 0; i < 400 && ops < maxOps; i++) {
      const a = rng.int(0, participants)
      try {
        replicas[a]!.submit(
          { tag: OpTag.Transfer, to: (a + 1) % participants, token: rng.int(0, 2), amount: 1n },
          now,
        )
        ops++
      } catch (e) {
        if (!(e instanceof BatchFullError)) throw e
      }
    }
    now += 1000
    runToQuiet(replicas, now)
    for (const r of replicas) r.prune()
    return ops
  }
  return { replicas, step }
}
