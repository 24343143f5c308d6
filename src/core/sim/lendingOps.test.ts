import { describe, expect, it } from 'vitest'
import { OpTag } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { ChannelState } from '../state.ts'
import { makeTestChannel, testDeposits } from '../testing.ts'
import { randomLendOp, withLending } from './lendingOps.ts'
import { Rng } from './rng.ts'

describe('the simulator lending mix', () => {
  it('draws ops of every kind that the fold applies and refuses, conserving every token', () => {
    const P = 6
    const channel = withLending(makeTestChannel({ participants: P, label: 'sim-lending' }).channel)
    const state = new ChannelState(channel)
    state.creditGenesis(testDeposits(P, 2, 10n ** 12n))
    const rng = new Rng(7)
    const applied = new Map<number, number>()
    for (let i = 0; i < 3_000; i++) {
      const author = rng.int(0, P)
      const op = randomLendOp(rng, author, P)
      const r = state.apply(op, {
        author,
        seq: BigInt(i + 1),
        index: 0,
        height: 0,
        block: `b${i}`,
        time: BigInt(i) * 997n,
      })
      if (r === Reject.None) applied.set(op.tag, (applied.get(op.tag) ?? 0) + 1)
    }
    for (const tag of [
      OpTag.OraclePrice,
      OpTag.LendSupply,
      OpTag.LendWithdraw,
      OpTag.LendBorrow,
      OpTag.LendRepay,
    ])
      expect(applied.get(tag) ?? 0).toBeGreaterThan(0)
    for (const t of [0, 1]) {
      let total = 0n
      for (let p = 0; p < P; p++) total += state.holdings(p, t)
      expect(total).toBe(BigInt(P) * 10n ** 12n)
    }
  })
})
