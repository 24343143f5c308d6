import { expect } from 'vitest'
import type { Node } from './dagNode.ts'
import { OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

/**
 * What the outage tests share (lateResume.test.ts, restart.test.ts): four authoring replicas with a small reference
 * depth D, trading transfers, and participant 3 cut off while the others trade on and replicas 0 and 1 prune.
 */

export const P = 4

/** A 4-participant test channel and a factory of its authoring replicas (D = `refDepth`, late slack `lateSlack`). */
export function outageChannel(label: string, refDepth: number, lateSlack?: number) {
  const tc = makeTestChannel({ participants: P, label })
  const deposits = testDeposits(P, 1, 10n ** 12n)
  const make = (i: number, slack = lateSlack) =>
    new Replica(tc.channel, {
      ignoreForcedQueue: true,
      author: { index: i, sessionKey: tc.members[i]!.sessionKey },
      deposits,
      refDepth,
      leaderWaitMs: 0,
      checkpointIntervalMs: 500,
      ...(slack === undefined ? {} : { lateSlack: slack }),
    })
  return { tc, make }
}

export const pay = (r: Replica, to: number, now: number, amount = 1n) =>
  r.submit({ tag: OpTag.Transfer, to, token: 0, amount }, now)

/** One step of trading after the outage: 3 pays `cutPaysTo`, 0–2 pay one another, everything is delivered. */
export function tradeStep(reps: Replica[], now: number, cutPaysTo: number): number {
  pay(reps[3]!, cutPaysTo, now)
  for (const [i, r] of reps.slice(0, 3).entries()) pay(r, (i + 1) % 3, now)
  now += 100
  runToQuiet(reps, now)
  return now
}

/**
 * After three rounds of everyone trading, participant 3 seals one block X (a transfer of `amount` to 0) that reaches
 * nobody while the others trade on for `rounds` rounds, replicas 0 and 1 pruning at every certified checkpoint and
 * replica 2 never; then 3 receives what it missed and the others receive X.
 */
export function outage(reps: Replica[], rounds: number, amount = 1n) {
  let now = 0
  for (let k = 0; k < 3; k++) {
    for (const [i, r] of reps.entries()) pay(r, (i + 1) % P, now)
    now += 100
    runToQuiet(reps, now)
  }
  const [cut, others] = [reps[3]!, reps.slice(0, 3)]
  pay(cut, 0, now, amount)
  now += 100
  const lost = runToQuiet([cut], now)
  expect(lost.length).toBe(1)
  const x: Node = cut.latest[3]!
  const meanwhile: Uint8Array[] = []
  const start = others[0]!.latest[0]!.round
  while (others[0]!.latest[0]!.round < start + rounds) {
    for (const [i, r] of others.entries()) pay(r, (i + 1) % 3, now)
    now += 100
    meanwhile.push(...runToQuiet(others, now))
    reps[0]!.prune()
    reps[1]!.prune()
  }
  expect(reps[2]!.prunedCount, 'replica 2 never prunes').toBe(0)
  cut.receiveMany(meanwhile)
  for (const r of others) r.receiveMany(lost)
  return { cut, others, now, x, lost }
}
