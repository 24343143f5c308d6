import { describe, expect, it } from 'vitest'
import { ETH, lendingHarness, USDC } from '../core/lending/harness.ts'
import { healthOf, isLiquidatable } from '../core/lending/health.ts'
import { OpTag, Side } from '../core/ops.ts'
import { perpsHarness } from '../core/perps/harness.ts'
import { perpAccountOf } from '../core/perps/views.ts'
import { Reject } from '../core/reasons.ts'
import { liquidationOps, mayLiquidate } from './liquidator.ts'

// perps harness: participant 2 is the Liquidator, 3 the oracle; lending harness: 3 the Liquidator, 4 the oracle
function levered() {
  const h = perpsHarness()
  h.oracle(100n)
  h.margin(0, 1_000n)
  h.margin(1, 100_000n)
  h.order(1, { side: Side.Sell, price: 100n, qty: 90n })
  expect(h.order(0, { side: Side.Buy, price: 100n, qty: 90n })).toBe(Reject.None)
  return h
}

describe('liquidator: perps', () => {
  it('sends nothing while every account is healthy', () => {
    const h = levered()
    expect(liquidationOps({ state: h.state, clock: h.time, me: 2 })).toEqual([])
  })

  it('after an oracle move funds its margin and liquidates the unhealthy account, which the fold accepts', () => {
    const h = levered()
    h.oracle(90n)
    const ops = liquidationOps({ state: h.state, clock: h.time, me: 2 })
    // the liquidator had no margin: half of its collateral tokens first, then the take-over
    expect(ops).toEqual([
      { tag: OpTag.MarginDeposit, amount: 500_000n },
      { tag: OpTag.Liquidate, trader: 0, market: 1 },
    ])
    // the dry run left the state alone
    expect(h.state.perps!.position(0, 1).size).toBe(90n)
    for (const op of ops) expect(h.apply(2, op)).toBe(Reject.None)
    expect(h.state.perps!.position(0, 1).size).toBe(0n)
    expect(h.state.perps!.position(2, 1).size).toBe(90n)
    // once closed, nothing more to do
    expect(liquidationOps({ state: h.state, clock: h.time, me: 2 })).toEqual([])
  })

  it('never sends a take-over its own margin cannot carry (the fold would refuse LiquidatorMargin)', () => {
    const h = levered()
    h.margin(2, 10n) // some margin, far too little for 90 lots at 90
    h.oracle(90n)
    expect(perpAccountOf(h.state, 0)!.liquidatable).toBe(true)
    expect(liquidationOps({ state: h.state, clock: h.time, me: 2 })).toEqual([])
    expect(h.apply(2, { tag: OpTag.Liquidate, trader: 0, market: 1 })).toBe(Reject.LiquidatorMargin)
  })

  it('a participant without the Liquidator role does nothing (closed liquidation)', () => {
    const h = levered()
    h.oracle(90n)
    expect(mayLiquidate(h.state, 4)).toEqual({ perps: false, lending: false })
    expect(liquidationOps({ state: h.state, clock: h.time, me: 4 })).toEqual([])
  })
})

describe('liquidator: lending', () => {
  function borrowed() {
    const h = lendingHarness()
    h.oracle(2_000n)
    h.supply(2, ETH, 100n)
    h.supply(1, USDC, 15_000n)
    expect(h.borrow(1, ETH, 6n)).toBe(Reject.None)
    return h
  }

  it('repays the debt of a loan below health 1 and seizes its collateral; healthy loans are left alone', () => {
    const h = borrowed()
    expect(liquidationOps({ state: h.state, clock: h.time, me: 3 })).toEqual([])
    h.oracle(2_200n) // 6 ETH = 13,200 > 15,000 · 85 %
    const ops = liquidationOps({ state: h.state, clock: h.time, me: 3 })
    expect(ops).toEqual([
      { tag: OpTag.LendLiquidate, trader: 1, debtToken: ETH, collateralToken: USDC, amount: 6n },
    ])
    for (const op of ops) expect(h.apply(3, op)).toBe(Reject.None)
    expect(h.ls.debt(1, ETH)).toBe(0n)
    expect(isLiquidatable(healthOf(h.ls, h.state, 1))).toBe(false)
    expect(liquidationOps({ state: h.state, clock: h.time, me: 3 })).toEqual([])
  })

  it('repays no more than it holds of the debt token', () => {
    const h = borrowed()
    h.oracle(2_200n)
    const mine = 3 * h.state.T + ETH
    h.state.avail[mine] = 2n
    const ops = liquidationOps({ state: h.state, clock: h.time, me: 3 })
    expect(ops).toEqual([
      { tag: OpTag.LendLiquidate, trader: 1, debtToken: ETH, collateralToken: USDC, amount: 2n },
    ])
    h.state.avail[mine] = 0n
    expect(liquidationOps({ state: h.state, clock: h.time, me: 3 })).toEqual([])
  })
})
