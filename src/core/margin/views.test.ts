import { describe, expect, it } from 'vitest'
import { lendAccountOf, liquidatableLoans } from '../lending/views.ts'
import { TimeInForce } from '../ops.ts'
import { liquidatablePositions, perpAccountOf } from '../perps/views.ts'
import { Reject } from '../reasons.ts'
import { balancesOf } from '../views.ts'
import { ETH, marginHarness, Side, USDC } from './harness.ts'

/** The screens' figures come from the one margin account: what they show is what the fold then does. */
describe('views of the one margin account', () => {
  function setup() {
    const h = marginHarness()
    h.price(1_000n)
    expect(h.margin(0, 500_000n)).toBe(Reject.None)
    expect(h.perp(0, Side.Sell, 1_000n, 10n)).toBe(Reject.None)
    expect(h.supply(2, ETH, 100n)).toBe(Reject.None)
    expect(h.margin(3, 200_000n)).toBe(Reject.None)
    expect(h.margin(1, 2_000n)).toBe(Reject.None)
    expect(h.supply(1, USDC, 500n)).toBe(Reject.None)
    expect(h.perp(1, Side.Buy, 1_000n, 10n, TimeInForce.IOC)).toBe(Reject.None)
    expect(h.borrow(1, ETH, 1n)).toBe(Reject.None)
    return h
  }

  it('the balances table adds up: the ledger’s columns plus what perps, lending and the AMM hold make the total', () => {
    const h = setup()
    const rows = balancesOf(h.state, 1)
    for (const r of rows)
      expect(r.available + r.reserved + r.locked + r.pendingWithdrawal + r.inModules).toBe(r.total)
    // participant 1's margin, supply and loan sit outside the ledger's columns (the table's totals did not add up)
    expect(rows.some((r) => r.inModules !== 0n)).toBe(true)
  })

  it('the perps account shows the netted lending side, and withdrawable is the most a MarginWithdraw takes', () => {
    const h = setup()
    const v = perpAccountOf(h.state, 1)!
    expect(v.lendingCollateral).toBe(425n)
    expect(v.lendingDebt).toBe(1_000n)
    // (2,000 − w) · 10⁴ + 500 · 8,000 − 1,000 · 10⁴ ≥ 10,000 · 10⁴ / 10  ⇔  w ≤ 400
    expect(v.withdrawable).toBe(400n)
    expect(h.withdrawMargin(1, v.withdrawable + 1n)).toBe(Reject.InsufficientMargin)
    expect(h.withdrawMargin(1, v.withdrawable)).toBe(Reject.None)
  })

  it('the lending account shows the netted health and flags the account exactly when liquidation is accepted', () => {
    const h = setup()
    const a = lendAccountOf(h.state, 1)!
    // collateral = 2,000 equity + 500 · 85 %; debt = 1,000 loan + 10,000 · 5 % maintenance (× 10⁴)
    expect(a.health.collateral).toBe(2_000n * 10_000n + 500n * 8_500n)
    expect(a.health.debt).toBe(1_000n * 10_000n + 10_000n * 500n)
    // the parts the Health panel shows: the same loans as the perps account's lending debt, and what perps add
    expect(a.loans).toBe(perpAccountOf(h.state, 1)!.lendingDebt * 10_000n)
    expect(a.perpMaintenance).toBe(10_000n * 500n)
    expect(a.loans + a.perpMaintenance).toBe(a.health.debt)
    expect(a.perpEquity + 500n * 8_500n).toBe(a.health.collateral)
    expect(a.liquidatable).toBe(false)
    // (10 p − 8,000) · 10⁴ + 500 · 8,500 − p · 10⁴ ≥ 10 p · 500  ⇔  p ≥ 891.2
    for (const [price, below] of [
      [892n, false],
      [891n, true],
    ] as const) {
      h.price(price)
      expect(lendAccountOf(h.state, 1)!.liquidatable).toBe(below)
      expect(liquidatableLoans(h.state).some((r) => r.trader === 1)).toBe(below)
      expect(liquidatablePositions(h.state).some((r) => r.trader === 1)).toBe(below)
      expect(perpAccountOf(h.state, 1)!.liquidatable).toBe(below)
    }
    // both liquidations accept the flagged account: the perp one closes the position, which restores health
    expect(h.liquidate(3, 1)).toBe(Reject.None)
    expect(lendAccountOf(h.state, 1)!.liquidatable).toBe(false)
    expect(h.liquidateLoan(3, 1, ETH, USDC, 1n)).toBe(Reject.LoanHealthy)
  })
})
