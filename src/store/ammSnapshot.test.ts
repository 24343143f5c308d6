import { describe, expect, it } from 'vitest'
import { ammChannel, NO_DEADLINE } from '../core/amm/harness.ts'
import { OpTag, Side } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import { takeAmmSnapshot } from './ammSnapshot.ts'

const tc = ammChannel()
const network = () =>
  tc.members.map(
    (m) =>
      new Replica(tc.channel, {
        ignoreForcedQueue: true,
        author: { index: m.index, sessionKey: m.sessionKey },
        deposits: testDeposits(5, 2, 1_000_000_000n),
        leaderWaitMs: 0,
      }),
  )

describe('takeAmmSnapshot', () => {
  it('is undefined without params.amm', () => {
    const spot = makeTestChannel({ participants: 3, label: 'spot-only' })
    const r = new Replica(spot.channel, {
      ignoreForcedQueue: true,
      author: { index: 0, sessionKey: spot.members[0]!.sessionKey },
      deposits: [],
    })
    expect(takeAmmSnapshot(r, 0)).toBeUndefined()
  })
  it('shows my shares, vote and redeemable value pending at once and final once committed', () => {
    const reps = network()
    const [a, b] = reps as [Replica, Replica]
    a.submit({
      tag: OpTag.AmmAdd,
      market: 0,
      baseMax: 4_000_000n,
      quoteMax: 1_000_000n,
      minShares: 0n,
      voteBps: 5,
    })
    const pending = takeAmmSnapshot(a, 0)!
    expect(pending.pools.map((p) => p.market)).toEqual([0, 1])
    expect(pending.pools[0]).toMatchObject({
      reserveBase: 4_000_000n,
      myShares: 1_999_000n,
      myVoteBps: 5n,
      feeBps: 5n,
      myBase: 3_998_000n,
      myQuote: 999_500n,
    })
    expect(pending.finalPools[0]!.totalShares).toBe(0n)
    expect(pending.available).toEqual([1_000_000_000n - 4_000_000n, 1_000_000_000n - 1_000_000n])
    expect(pending.finalAvailable).toEqual([1_000_000_000n, 1_000_000_000n])
    runToQuiet(reps)
    b.submit({
      tag: OpTag.AmmAdd,
      market: 0,
      baseMax: 8_000_000n,
      quoteMax: 2_000_000n,
      minShares: 0n,
      voteBps: 100,
    })
    b.submit({
      tag: OpTag.AmmSwap,
      market: 0,
      side: Side.Buy,
      amountIn: 10_000n,
      minOut: 0n,
      deadline: NO_DEADLINE,
    })
    runToQuiet(reps, 1_000_000)
    const s = takeAmmSnapshot(a, 0)!
    expect(s.finalPools[0]).toEqual(s.pools[0])
    expect(s.pools[0]!.feeBps).toBe(100n) // B's 4,000,000 shares outweigh A's 1,999,000
    expect(s.pools[0]!.votes.map((v) => v.voters)).toEqual([0, 1, 0, 1])
    expect(takeAmmSnapshot(b, 1)!.pools[0]!.myVoteBps).toBe(100n)
    expect(s.depth[0]).toEqual({ bids: [], asks: [] })
  })
})
