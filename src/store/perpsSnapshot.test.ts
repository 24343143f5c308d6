import { describe, expect, it } from 'vitest'
import { ETH, marginChannel, USDC } from '../core/margin/harness.ts'
import { OpTag, OrderKind, Side, TimeInForce } from '../core/ops.ts'
import { perpsChannel } from '../core/perps/harness.ts'
import { Replica } from '../core/replica.ts'
import { authoringReplicas, makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import { takePerpsSnapshot } from './perpsSnapshot.ts'

const tc = perpsChannel({ participants: 4 })
const network = () => authoringReplicas(tc, testDeposits(4, 2, 1_000_000n))
const perp = (side: Side, price: bigint, qty: bigint) => ({
  tag: OpTag.PerpPlace,
  market: 1,
  side,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  reduceOnly: false,
  price,
  qty,
})

describe('takePerpsSnapshot', () => {
  it('is undefined without perp markets', () => {
    const spot = makeTestChannel({ participants: 3, label: 'spot-only' })
    const r = new Replica(spot.channel, {
      ignoreForcedQueue: true,
      author: { index: 0, sessionKey: spot.members[0]!.sessionKey },
      deposits: [],
    })
    expect(takePerpsSnapshot(r, 0)).toBeUndefined()
  })
  it('shows positions pending at once and final once committed, who is the oracle and who may liquidate', () => {
    const reps = network()
    const [a, b, c, d] = reps as [Replica, Replica, Replica, Replica]
    d.submit({ tag: OpTag.OraclePrice, market: 1, price: 1000n })
    a.submit({ tag: OpTag.MarginDeposit, amount: 10_000n })
    b.submit({ tag: OpTag.MarginDeposit, amount: 10_000n })
    runToQuiet(reps)
    b.submit(perp(Side.Sell, 1000n, 20n))
    runToQuiet(reps)
    a.submit(perp(Side.Buy, 1000n, 20n))
    const pending = takePerpsSnapshot(a, 0)!
    expect(pending.positions[0]).toMatchObject({ market: 1, size: 20n })
    expect(pending.finalPositions).toEqual([])
    expect(pending.account.notional).toBe(20_000n)
    expect(pending.finalAccount.notional).toBe(0n)
    expect(pending).toMatchObject({ oracle: 3, canLiquidate: false })
    // the margin deposit left the ledger; A is also the fee recipient (maker 2 + taker 5 bps of 20,000)
    expect(pending.available).toBe(1_000_000n - 10_000n + 4n + 10n)
    runToQuiet(reps, 1_000_000)
    const final = takePerpsSnapshot(a, 0)!
    expect(final.finalPositions).toEqual(final.positions)
    expect(final.markets[0]).toMatchObject({ market: 1, oracle: 1000n, mark: 1000n, openInterest: 20n })
    expect(takePerpsSnapshot(c, 2)!.canLiquidate).toBe(true)
    expect(takePerpsSnapshot(b, 1)!.positions[0]!.size).toBe(-20n)
  })
  it('shows the netted lending collateral, pool shares and lending debt that enter the health', () => {
    expect(takePerpsSnapshot(network()[0]!, 0)!.nets).toBe(false)
    const mc = marginChannel({ amm: true })
    const reps = mc.members.map(
      (m) =>
        new Replica(mc.channel, {
          ignoreForcedQueue: true,
          author: { index: m.index, sessionKey: m.sessionKey },
          deposits: testDeposits(5, 2, 10_000_000n),
          leaderWaitMs: 0,
        }),
    )
    const [alice, bob, , , oracle] = reps as [Replica, Replica, Replica, Replica, Replica]
    for (const market of [0, 1]) oracle.submit({ tag: OpTag.OraclePrice, market, price: 1_000n })
    bob.submit({ tag: OpTag.LendSupply, token: ETH, amount: 500n })
    alice.submit({
      tag: OpTag.AmmAdd,
      market: 0,
      baseMax: 1_000n,
      quoteMax: 1_000_000n,
      minShares: 0n,
      voteBps: 30,
    })
    alice.submit({ tag: OpTag.LendSupply, token: USDC, amount: 100_000n })
    runToQuiet(reps)
    alice.submit({ tag: OpTag.LendBorrow, token: ETH, amount: 10n })
    const pending = takePerpsSnapshot(alice, 0)!
    expect(pending.nets).toBe(true)
    // 100,000 USDC at 85 %; 30,622 of 31,622 shares of V = 2·√(1,000 · 1,000 · 1,000,000) = 2,000,000, at 80 %
    expect(pending.account).toMatchObject({
      supplyCollateral: 85_000n,
      poolShareValue: 1_936_752n,
      poolCollateral: 1_549_401n,
      lendingCollateral: 85_000n + 1_549_401n,
      lendingDebt: 10_000n,
    })
    expect(pending.finalAccount.lendingDebt).toBe(0n)
    runToQuiet(reps, 1_000_000)
    expect(takePerpsSnapshot(alice, 0)!.finalAccount).toEqual(takePerpsSnapshot(alice, 0)!.account)
  })
})
