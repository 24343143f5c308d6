import { describe, expect, it } from 'vitest'
import { OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { FUNDING_HISTORY } from './engine.ts'
import { fundingRate } from './funding.ts'
import { PERP_PARAMS, perpsHarness } from './harness.ts'
import { previewPerpOp } from './preview.ts'
import { liquidatablePositions, perpAccountOf, perpMarketsOf, perpPositionsOf } from './views.ts'

/** 0 long 50 lots at 1,000 against 1's short, 10,000 of margin each (fees: maker 2, taker 5 bps). */
function opened() {
  const h = perpsHarness()
  expect(h.oracle(1000n)).toBe(Reject.None)
  expect(h.margin(0, 10_000n)).toBe(Reject.None)
  expect(h.margin(1, 10_000n)).toBe(Reject.None)
  expect(h.margin(2, 100_000n)).toBe(Reject.None)
  expect(h.order(1, { side: Side.Sell, price: 1000n, qty: 50n })).toBe(Reject.None)
  expect(h.order(0, { side: Side.Buy, price: 1000n, qty: 50n })).toBe(Reject.None)
  return h
}

describe('perp views', () => {
  it('shows positions with entry, mark, unrealized PnL and the account’s health', () => {
    const h = opened()
    expect(perpPositionsOf(h.state, 0)).toEqual([
      expect.objectContaining({
        market: 1,
        size: 50n,
        entry: 1000n,
        mark: 1000n,
        unrealizedPnl: 0n,
        notional: 50_000n,
      }),
    ])
    expect(perpPositionsOf(h.state, 1)[0]).toMatchObject({ size: -50n, entry: 1000n })
    h.oracle(1010n)
    const [long] = perpPositionsOf(h.state, 0)
    expect(long).toMatchObject({ mark: 1010n, unrealizedPnl: 500n, notional: 50_500n })
    const a = perpAccountOf(h.state, 0)!
    // taker fee 50,000 · 5 bps = 25
    expect(a.collateral).toBe(10_000n - 25n)
    expect(a.equity).toBe(10_000n - 25n + 500n)
    expect(a.marginRatioBps).toBe((a.equity * 10_000n) / 50_500n)
    expect(a.leverageX100).toBe((50_500n * 100n) / a.equity)
    expect(a.initialMargin).toBe(5_050n)
    expect(a.maintenanceMargin).toBe(2_525n)
    expect(a).toMatchObject({
      healthy: true,
      liquidatable: false,
      withinInitialMargin: true,
      maxLeverage: 10n,
    })
    expect(perpAccountOf(h.state, 4)).toMatchObject({ equity: 0n, notional: 0n, marginRatioBps: undefined })
  })

  it('the liquidation price is exactly where the account turns liquidatable, long and short', () => {
    const long = opened()
    const L = perpPositionsOf(long.state, 0)[0]!.liquidationPrice!
    expect(L).toBeLessThan(1000n)
    long.oracle(L + 1n)
    expect(perpAccountOf(long.state, 0)!.liquidatable).toBe(false)
    expect(liquidatablePositions(long.state)).toEqual([])
    long.oracle(L)
    expect(perpAccountOf(long.state, 0)!.liquidatable).toBe(true)
    expect(liquidatablePositions(long.state)).toEqual([
      expect.objectContaining({ trader: 0, market: 1, size: 50n }),
    ])
    // the core agrees: the Liquidator may now liquidate it
    expect(long.apply(2, { tag: OpTag.Liquidate, trader: 0, market: 1 })).toBe(Reject.None)
    expect(perpPositionsOf(long.state, 0)[0]?.size ?? 0n).toBe(0n)

    const short = opened()
    const S = perpPositionsOf(short.state, 1)[0]!.liquidationPrice!
    expect(S).toBeGreaterThan(1000n)
    short.oracle(S - 1n)
    expect(perpAccountOf(short.state, 1)!.liquidatable).toBe(false)
    expect(short.apply(2, { tag: OpTag.Liquidate, trader: 1, market: 1 })).toBe(Reject.NotLiquidatable)
    short.oracle(S)
    expect(perpAccountOf(short.state, 1)!.liquidatable).toBe(true)
    expect(short.apply(2, { tag: OpTag.Liquidate, trader: 1, market: 1 })).toBe(Reject.None)
  })

  it('withdrawable is the most a MarginWithdraw takes: one more unit is refused', () => {
    const h = opened()
    const w = perpAccountOf(h.state, 0)!.withdrawable
    expect(w).toBeGreaterThan(0n)
    expect(h.apply(0, { tag: OpTag.MarginWithdraw, amount: w + 1n })).toBe(Reject.InsufficientMargin)
    expect(h.apply(0, { tag: OpTag.MarginWithdraw, amount: w })).toBe(Reject.None)
    expect(perpAccountOf(h.state, 0)!.withdrawable).toBe(0n)
  })

  it('keeps a funding history per market, newest first, matching the cumulative index and what positions paid', () => {
    const h = opened()
    // book mid and last trade at 1,100 against an index of 1,000: the mark is 1,100 and longs pay, clamped
    h.order(2, { side: Side.Sell, price: 1100n, qty: 1n })
    h.margin(4, 10_000n)
    h.order(4, { side: Side.Buy, price: 1100n, qty: 1n })
    h.order(2, { side: Side.Buy, price: 1090n, qty: 1n })
    h.order(2, { side: Side.Sell, price: 1110n, qty: 1n })
    expect(perpMarketsOf(h.state)[0]!.mark).toBe(1100n)
    const rate = fundingRate(1100n, 1000n, 1n, PERP_PARAMS)
    expect(rate).toBe(5n)
    h.time = 3_000n
    h.oracle(1000n)
    h.time = 4_000n
    h.oracle(1000n)
    const [m] = perpMarketsOf(h.state)
    expect(m!.fundingHistory.map((e) => [e.epoch, e.intervals, e.rate])).toEqual([
      [4n, 1n, 5n],
      [3n, 3n, 5n],
    ])
    expect(m!.fundingHistory[0]!.cum).toBe(20n)
    expect(m).toMatchObject({ fundingRate: 5n, cumulativeFunding: 20n, oracle: 1000n, openInterest: 51n })
    expect(perpPositionsOf(h.state, 0)[0]!.fundingPaid).toBe(50n * 20n)
    expect(perpPositionsOf(h.state, 1)[0]!.fundingPaid).toBe(-50n * 20n)
    // each payment is what the longs paid in total (open interest · rate · intervals); all of it reaches the shorts
    expect(m!.fundingHistory.map((e) => [e.openInterest, e.paid])).toEqual([
      [51n, 51n * 5n],
      [51n, 51n * 15n],
    ])
    const paidBy = (p: number) => perpPositionsOf(h.state, p)[0]?.fundingPaid ?? 0n
    const longs = paidBy(0) + paidBy(4)
    expect(longs).toBe(m!.fundingHistory.reduce((s, e) => s + e.paid, 0n))
    expect(paidBy(1) + paidBy(2)).toBe(-longs)
    // bounded, oldest dropped; clones keep their own
    const before = h.state.clone()
    for (let e = 5n; e < 5n + BigInt(FUNDING_HISTORY); e++) {
      h.time = e * 1000n
      h.oracle(1000n)
    }
    expect(perpMarketsOf(h.state)[0]!.fundingHistory).toHaveLength(FUNDING_HISTORY)
    expect(perpMarketsOf(before)[0]!.fundingHistory).toHaveLength(2)
  })

  it('a preview gives the core’s reason before submit and leaves the state alone', () => {
    const h = opened()
    expect(h.order(2, { side: Side.Sell, price: 1000n, qty: 500n })).toBe(Reject.None)
    const trades = h.state.trades.length
    const root = h.state.perps!.margin.slice()
    const place = (qty: bigint) => ({
      tag: OpTag.PerpPlace,
      market: 1,
      side: Side.Buy,
      kind: OrderKind.Limit,
      tif: TimeInForce.GTC,
      reduceOnly: false,
      price: 1000n,
      qty,
    })
    // 10,000 of margin at 10× covers 100,000 of notional: 50 lots more is fine, 60 (110,000) is not
    const ok = previewPerpOp({ state: h.state, op: place(40n) as never, author: 1, time: 0n })
    expect(ok.result).toBe(Reject.None)
    const tooMuch = previewPerpOp({ state: h.state, op: place(250n) as never, author: 1, time: 0n })
    expect(tooMuch.result).toBe(Reject.LeverageTooHigh)
    const grow = previewPerpOp({ state: h.state, op: place(40n) as never, author: 0, time: 0n })
    expect(grow.result).toBe(Reject.None)
    expect(grow.positions[0]!.size).toBe(90n)
    expect(grow.account!.notional).toBe(90_000n)
    expect(h.state.trades.length).toBe(trades)
    expect(h.state.perps!.margin).toEqual(root)
    expect(perpPositionsOf(h.state, 0)[0]!.size).toBe(50n)
    // and the fold says the same
    expect(h.order(1, { side: Side.Buy, price: 1000n, qty: 250n })).toBe(Reject.LeverageTooHigh)
  })
})
