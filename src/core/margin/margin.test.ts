import { describe, expect, it } from 'vitest'
import { OpTag, TimeInForce } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { isLiquidatable, marginAccount, meetsMaintenance, nets } from './account.ts'
import { ETH, marginHarness, Side, USDC } from './harness.ts'

/** Alice (0) rests a perp sell of `qty` at 1,000 with ample margin; the oracle prices ETH at 1,000. */
function withMaker(o: Parameters<typeof marginHarness>[0] = {}, qty = 10n) {
  const h = marginHarness(o)
  h.price(1_000n)
  expect(h.margin(0, 500_000n)).toBe(Reject.None)
  expect(h.perp(0, Side.Sell, 1_000n, qty)).toBe(Reject.None)
  // Dave (the Liquidator) has margin to take positions over; Carol supplies both tokens so the pool has cash
  expect(h.margin(3, 200_000n)).toBe(Reject.None)
  expect(h.supply(2, USDC, 100_000n)).toBe(Reject.None)
  expect(h.supply(2, ETH, 100n)).toBe(Reject.None)
  return h
}
const conserved = (h: ReturnType<typeof marginHarness>) => {
  expect(h.total(ETH)).toBe(5n * h.amount)
  expect(h.total(USDC)).toBe(5n * h.amount)
}

describe('one margin account: collateral, perp PnL and loans in one inequality', () => {
  it('nets exactly when the perps collateral is the lending quote token', () => {
    expect(nets(marginHarness().state)).toBe(true)
    expect(nets(marginHarness({ nets: false }).state)).toBe(false)
  })

  it('a lending supply backs a perp position (refused without it, and in a channel that does not net)', () => {
    for (const net of [true, false]) {
      const h = withMaker({ nets: net })
      expect(h.supply(1, USDC, 2_000n)).toBe(Reject.None)
      // 10 lots at 1,000 = 10,000 of notional: (0 + 2,000 · 80 %) · 10 = 16,000 ≥ 10,000 only when netted
      expect(h.perp(1, Side.Buy, 1_000n, 10n, TimeInForce.IOC)).toBe(
        net ? Reject.None : Reject.LeverageTooHigh,
      )
      expect(h.state.perps!.position(1, 1).size).toBe(net ? 10n : 0n)
      conserved(h)
    }
  })

  it('refuses a lending withdrawal that leaves the perp position under initial margin', () => {
    const h = withMaker()
    expect(h.supply(1, USDC, 2_000n)).toBe(Reject.None)
    expect(h.perp(1, Side.Buy, 1_000n, 10n, TimeInForce.IOC)).toBe(Reject.None)
    // 1,250 · 80 % · 10 = 10,000 is the least that backs 10,000 of notional: 750 may go, 751 may not
    expect(h.withdraw(1, USDC, 751n)).toBe(Reject.LoanToValue)
    expect(h.withdraw(1, USDC, 750n)).toBe(Reject.None)
    expect(h.withdraw(1, USDC, 1n)).toBe(Reject.LoanToValue)
    conserved(h)
  })

  it('a perp profit backs a loan, and a margin withdrawal is refused while the loan needs it', () => {
    for (const net of [true, false]) {
      const h = withMaker({ nets: net })
      expect(h.margin(1, 10_000n)).toBe(Reject.None)
      expect(h.perp(1, Side.Buy, 1_000n, 10n, TimeInForce.IOC)).toBe(Reject.None)
      h.price(1_200n)
      // equity 12,000 (10,000 margin + 2,000 PnL), notional 12,000; no supply at all
      expect(h.borrow(1, ETH, 5n)).toBe(net ? Reject.None : Reject.LoanToValue)
      if (!net) continue
      // perps alone would let 9,000 go (3,000 · 10 ≥ 12,000); the 6,000 loan needs it: (3,000 − 6,000) · 10 < 12,000
      expect(h.withdrawMargin(1, 9_000n)).toBe(Reject.InsufficientMargin)
      // (E − w − 6,000) · 10 ≥ 12,000 ⇔ w ≤ 4,800
      expect(h.withdrawMargin(1, 4_801n)).toBe(Reject.InsufficientMargin)
      expect(h.withdrawMargin(1, 4_800n)).toBe(Reject.None)
      conserved(h)
    }
  })

  it('is liquidatable exactly when the maintenance inequality fails; a bankrupt position is paid from its supply before the insurance fund', () => {
    const h = withMaker()
    expect(h.margin(1, 100n)).toBe(Reject.None)
    expect(h.supply(1, USDC, 2_000n)).toBe(Reject.None)
    expect(h.perp(1, Side.Buy, 1_000n, 10n, TimeInForce.IOC)).toBe(Reject.None)
    // (100 + 10 (p − 1,000)) · 10⁴ + 2,000 · 8,500 ≥ 10 p · 500  ⇔  p ≥ 863.2
    h.price(864n)
    const a = marginAccount(h.state, 1, 'perps')
    expect(a.equity).toBe(100n - 1_360n)
    expect(a.collateral).toBe(2_000n * 8_500n)
    expect(meetsMaintenance(a, 500n)).toBe(true)
    expect(h.liquidate(3, 1)).toBe(Reject.NotLiquidatable)
    h.price(863n)
    expect(isLiquidatable(marginAccount(h.state, 1, 'perps'), 500n)).toBe(true)
    const ls = h.state.lending!
    const insurance = h.state.perps!.insurance
    expect(h.liquidate(3, 1)).toBe(Reject.None)
    // the deficit 1,270 came out of Bob's own USDC supply, not the insurance fund
    expect(h.state.perps!.insurance).toBe(insurance)
    expect(ls.claim(1, USDC)).toBe(2_000n - 1_270n)
    expect(h.state.perps!.margin[1]).toBe(0n)
    expect(h.state.perps!.position(1, 1).size).toBe(0n)
    expect(h.state.perps!.position(3, 1).size).toBe(10n)
    conserved(h)
  })

  it('a deficit beyond the margin token becomes a loan against the other supplies, then lending liquidation takes them', () => {
    const h = withMaker()
    // Bob backs a position with ETH only: 3 ETH at 1,000 · 80 % LT
    expect(h.supply(1, ETH, 3n)).toBe(Reject.None)
    expect(h.perp(1, Side.Buy, 1_000n, 10n, TimeInForce.IOC)).toBe(Reject.None)
    // −10 (1,000 − p) · 10⁴ + 3 p · 8,000 ≥ 10 p · 500  ⇔  p ≥ 840.4
    h.price(841n)
    expect(h.liquidate(3, 1)).toBe(Reject.NotLiquidatable)
    h.price(840n)
    const insurance = h.state.perps!.insurance
    expect(h.liquidate(3, 1)).toBe(Reject.None)
    // deficit 1,600: a USDC loan (room 3 · 840 · 80 % = 2,016), so the insurance fund pays nothing
    expect(h.state.perps!.insurance).toBe(insurance)
    expect(h.state.lending!.debt(1, USDC)).toBe(1_600n)
    expect(h.state.perps!.margin[1]).toBe(0n)
    conserved(h)
    // the ETH then falls: the loan is liquidated against the ETH supply like any other
    h.price(400n)
    expect(h.liquidateLoan(3, 1, USDC, ETH, 10_000n)).toBe(Reject.None)
    // all 3 ETH (1,200) for ⌊1,200 / 1.05⌋ = 1,142 repaid; nothing left to seize: the rest is written off, recorded
    expect(h.state.lending!.claim(1, ETH)).toBe(0n)
    expect(h.state.lending!.debt(1, USDC)).toBe(0n)
    expect(h.state.lending!.pools[USDC]!.badDebt).toBe(1_600n - 1_142n)
    conserved(h)
  })

  it('a lending liquidation seizes the margin account; debt is written off only once nothing is left to seize', () => {
    const h = withMaker()
    expect(h.margin(1, 10_000n)).toBe(Reject.None)
    // no supply: the margin alone backs the loan (10,000 − 7,000) · 10 ≥ 0
    expect(h.borrow(1, ETH, 7n)).toBe(Reject.None)
    h.price(1_100n)
    expect(h.liquidateLoan(3, 1, ETH, USDC, 1n)).toBe(Reject.LoanHealthy)
    h.price(1_500n)
    const pool = h.state.lending!.pools[ETH]!
    const daveUsdc = h.state.avail[3 * 2 + USDC]!
    // a partial liquidation: 1 ETH repaid, 1,575 USDC of margin seized (bonus 5 %); nothing written off
    expect(h.liquidateLoan(3, 1, ETH, USDC, 1n)).toBe(Reject.None)
    expect(h.state.perps!.margin[1]).toBe(10_000n - 1_575n)
    expect(h.state.avail[3 * 2 + USDC]).toBe(daveUsdc + 1_575n)
    expect(pool.badDebt).toBe(0n)
    // the rest: 8,425 of margin pays ⌊8,425 / (1,500 · 1.05)⌋ = 5 ETH; the last ETH is written off, recorded
    expect(h.liquidateLoan(3, 1, ETH, USDC, 10n)).toBe(Reject.None)
    expect(h.state.perps!.margin[1]).toBe(0n)
    expect(h.state.lending!.debt(1, ETH)).toBe(0n)
    expect(h.state.lending!.pools[ETH]!.badDebt).toBe(1n)
    conserved(h)
  })

  it('does not seize the margin of an account with an open position (its position is liquidated first)', () => {
    const h = withMaker()
    expect(h.margin(1, 10_000n)).toBe(Reject.None)
    expect(h.perp(1, Side.Buy, 1_000n, 1n, TimeInForce.IOC)).toBe(Reject.None)
    expect(h.borrow(1, ETH, 7n)).toBe(Reject.None)
    h.price(1_500n)
    expect(isLiquidatable(marginAccount(h.state, 1, 'lending'), 500n)).toBe(true)
    expect(h.liquidateLoan(3, 1, ETH, USDC, 1n)).toBe(Reject.NoCollateral)
    expect(h.liquidate(3, 1)).toBe(Reject.None)
    expect(h.liquidateLoan(3, 1, ETH, USDC, 1n)).toBe(Reject.None)
    conserved(h)
  })

  it('with one module the inequality is that module’s own (a perps-only account ignores an unrelated op tag)', () => {
    const h = marginHarness({ nets: false })
    h.price(1_000n)
    expect(h.apply(1, { tag: OpTag.MarginDeposit, amount: 1_000n })).toBe(Reject.None)
    const a = marginAccount(h.state, 1, 'lending')
    expect(a.equity).toBe(0n)
    expect(marginAccount(h.state, 1, 'perps').equity).toBe(1_000n)
  })
})
