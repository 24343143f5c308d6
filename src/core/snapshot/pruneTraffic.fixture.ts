import { BatchFullError, Replica } from '../replica.ts'
import type { Rng } from '../sim/rng.ts'
import { runToQuiet } from '../testing.ts'
import { everyModuleChannel, randomAnyOp, randomGenesis } from './randomStates.ts'

/**
 * What the pruning tests share: a channel of every module with `P` participants, replica options (checkpoints every
 * 2 s of channel clock) and random traffic from every participant in lockstep network rounds.
 */
export function pruneTraffic(P: number, label: string) {
  const { channel, members } = everyModuleChannel(P, label)
  const deposits = randomGenesis(P)
  const options = (i: number) => ({
    ignoreForcedQueue: true,
    author: { index: i, sessionKey: members[i]!.sessionKey },
    deposits,
    leaderWaitMs: 0,
    maxBatchOps: 32,
    checkpointIntervalMs: 2000,
  })
  /** Random traffic from every participant, a lockstep network round every 20 ops, the clock 500 ms per round. */
  const traffic = (reps: Replica[], rng: Rng, ops: number, clock: { now: number }): void => {
    for (let i = 0; i < ops; i++) {
      const a = rng.int(0, reps.length)
      try {
        reps[a]!.submit(randomAnyOp(rng, a, P, i, BigInt(clock.now), reps[a]!.state), clock.now)
      } catch (e) {
        if (!(e instanceof BatchFullError)) throw e
      }
      if (i % 20 === 19) {
        clock.now += 500
        runToQuiet(reps, clock.now)
      }
    }
    clock.now += 500
    runToQuiet(reps, clock.now)
  }
  const network = () => members.map((m) => new Replica(channel, options(m.index)))
  return { channel, members, deposits, options, traffic, network }
}
