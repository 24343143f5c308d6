import { describe, expect, it } from 'vitest'
import { outage, outageChannel, pay, tradeStep } from './outage.fixture.ts'
import { runToQuiet } from './testing.ts'

const D = 3
const { tc, make } = outageChannel('late-resume', D)

/**
 * Participant 3's connection drops just as it seals a block: nobody receives it while the others trade on for
 * `rounds` rounds (replicas 0 and 1 pruning at every certified checkpoint); then everything is delivered both ways.
 */
function dropped(rounds: number, lateSlack?: number) {
  const reps = tc.members.map((_, i) => make(i, lateSlack))
  const run = outage(reps, rounds)
  expect(reps[0]!.prunedCount).toBeGreaterThan(0)
  return { reps, ...run }
}

describe('an honest author whose last block reached the others late (a dropped connection)', () => {
  it('trades on: its ops after it comes back become final everywhere, pruned replicas included', () => {
    const run = dropped(20 * D)
    const { reps, cut } = run
    let now = run.now
    const before = cut.finalCount
    for (let k = 0; k < 4 * D; k++) now = tradeStep(reps, now, 1)
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
    const { reps, cut, now } = dropped(6 * D, 0)
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
