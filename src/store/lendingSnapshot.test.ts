import { describe, expect, it } from 'vitest'
import { lendingChannel } from '../core/lending/harness.ts'
import { OpTag } from '../core/ops.ts'
import { Reject } from '../core/reasons.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import { previewLending, takeLendingSnapshot } from './lendingSnapshot.ts'

const tc = lendingChannel()
const network = () =>
  tc.members.map(
    (m) =>
      new Replica(tc.channel, {
        ignoreForcedQueue: true,
        author: { index: m.index, sessionKey: m.sessionKey },
        deposits: testDeposits(5, 2, 1_000_000n),
        leaderWaitMs: 0,
      }),
  )

describe('takeLendingSnapshot', () => {
  it('is undefined without a lending pool', () => {
    const spot = makeTestChannel({ participants: 3, label: 'spot-only' })
    const r = new Replica(spot.channel, {
      ignoreForcedQueue: true,
      author: { index: 0, sessionKey: spot.members[0]!.sessionKey },
      deposits: [],
    })
    expect(takeLendingSnapshot(r, 0)).toBeUndefined()
  })

  it('shows a loan pending at once and final once committed; lists unhealthy accounts to the Liquidator', () => {
    const reps = network()
    const [, bob, carol, dave, oracle] = reps as [Replica, Replica, Replica, Replica, Replica]
    oracle.submit({ tag: OpTag.OraclePrice, market: 0, price: 2_000n })
    carol.submit({ tag: OpTag.LendSupply, token: 0, amount: 100n })
    bob.submit({ tag: OpTag.LendSupply, token: 1, amount: 15_000n })
    runToQuiet(reps)
    // refused before sending: above the loan-to-value limit
    expect(previewLending(bob, 1, { tag: OpTag.LendBorrow, token: 0, amount: 7n })).toBe(Reject.LoanToValue)
    bob.submit({ tag: OpTag.LendBorrow, token: 0, amount: 6n })
    const pending = takeLendingSnapshot(bob, 1)!
    expect(pending.account.positions.find((p) => p.token === 0)!.borrowed).toBe(6n)
    expect(pending.finalAccount.positions.find((p) => p.token === 0)!.borrowed).toBe(0n)
    runToQuiet(reps)
    const final = takeLendingSnapshot(bob, 1)!
    expect(final.finalAccount.positions.find((p) => p.token === 0)!.borrowed).toBe(6n)
    expect(final.account.healthFactorBps).toBe(10_625n)
    oracle.submit({ tag: OpTag.OraclePrice, market: 0, price: 2_200n })
    runToQuiet(reps)
    const forDave = takeLendingSnapshot(dave, 3)!
    expect(forDave.canLiquidate).toBe(true)
    expect(forDave.liquidatable.map((l) => l.trader)).toEqual([1])
    expect(takeLendingSnapshot(carol, 2)!.canLiquidate).toBe(false)
    // Bob sees his own account unhealthy, not in the list
    expect(takeLendingSnapshot(bob, 1)!.account.liquidatable).toBe(true)
    expect(takeLendingSnapshot(bob, 1)!.liquidatable).toEqual([])
  })
})
