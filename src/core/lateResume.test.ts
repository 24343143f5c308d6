import { describe, expect, it } from 'vitest'
import { OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const P = 4
const D = 3
const tc = makeTestChannel({ participants: P, label: 'late-resume' })
const deposits = testDeposits(P, 1, 10n ** 12n)
const make = (i: number, lateSlack?: number) =>
  new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index: i, sessionKey: tc.members[i]!.sessionKey },
    deposits,
    refDepth: D,
    leaderWaitMs: 0,
    checkpointIntervalMs: 500,
    ...(lateSlack === undefined ? {} : { lateSlack }),
  })
const pay = (r: Replica, to: number, now: number) =>
  r.submit({ tag: OpTag.Transfer, to, token: 0, amount: 1n }, now)

/**
 * Participant 3's connection drops just as it seals a block: nobody receives it while the others trade on for
 * `rounds` rounds (replicas 0 and 1 pruning at every certified checkpoint); then everything is delivered both ways.
 */
function outage(rounds: number, lateSlack?: number) {
  const reps = tc.members.map((_, i) => make(i, lateSlack))
  let now = 0
  for (let k = 0; k < 3; k++) {
    for (const [i, r] of reps.entries()) pay(r, (i + 1) % P, now)
    now += 100
    runToQuiet(reps, now)
  }
  const [cut, others] = [reps[3]!, reps.slice(0, 3)]
  pay(cut, 0, now)
  const lost: Uint8Array[] = []
  now += 100
  lost.push(...runToQuiet([cut], now))
  expect(lost.length).toBe(1)
  const meanwhile: Uint8Array[] = []
  const start = others[0]!.latest[0]!.round
  while (others[0]!.latest[0]!.round < start + rounds) {
    for (const [i, r] of others.entries()) pay(r, (i + 1) % 3, now)
    now += 100
    meanwhile.push(...runToQuiet(others, now))
    reps[0]!.prune()
    reps[1]!.prune()
  }
  expect(reps[0]!.prunedCount).toBeGreaterThan(0)
  cut.receiveMany(meanwhile)
  for (const r of others) r.receiveMany(lost)
  return { reps, cut, now }
}

describe('an honest author whose last block reached the others late (a dropped connection)', () => {
  it('trades on: its ops after it comes back become final everywhere, pruned replicas included', () => {
    const run = outage(20 * D)
    const { reps, cut } = run
    let now = run.now
    const before = cut.finalCount
    for (let k = 0; k < 4 * D; k++) {
      pay(cut, 1, now)
      for (const [i, r] of reps.slice(0, 3).entries()) pay(r, (i + 1) % 3, now)
      now += 100
      runToQuiet(reps, now)
    }
    expect(cut.finalCount).toBeGreaterThan(before)
    for (const r of reps) {
      const own = [...r.nodes.values()].filter((x) => x.author === 3)
      expect(own.some((x) => x.late)).toBe(false)
      const newest = own.reduce((a, x) => (x.seq > a.seq ? x : a))
      // its blocks after the outage, up to the last few (those wait for later rounds)
      const mine = own.filter((x) => x.seq > newest.seq - 3 * D && x.seq < newest.seq - D)
      expect(mine.length).toBeGreaterThan(0)
      for (const x of mine) expect(r.isFinal(x), `author 3 seq ${x.seq} final`).toBe(true)
      expect(r.stateRoot()).toEqual(reps[2]!.stateRoot())
    }
  })

  it('beyond the late slack its lost block expires, its next one restarts the chain, and rounds stop', () => {
    const { reps, cut, now } = outage(6 * D, 0)
    const lostBlock = cut.latest[3]!
    pay(cut, 1, now)
    // rounds stop once the restarted chain's op is final (nobody makes rounds for the expired block's op)
    expect(() => runToQuiet(reps, now + 100, 200)).not.toThrow()
    for (const r of reps) {
      const own = [...r.nodes.values()].filter((x) => x.author === 3 && !x.pruned)
      // the block that restarts the chain (its prev is the expired one) carries the new op, final everywhere
      const next = own.find((x) => x.seq === lostBlock.seq + 1)!
      expect(next.late).toBe(false)
      expect(r.isFinal(next)).toBe(true)
      expect(own.find((x) => x.seq === lostBlock.seq)?.expired).toBe(true)
      expect(r.stateRoot()).toEqual(reps[2]!.stateRoot())
    }
    expect(cut.expiredOwn().map((e) => e.seq)).toEqual([BigInt(lostBlock.seq)])
  })
})
