import { describe, expect, it } from 'vitest'
import { OpTag } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { ETH, lendingHarness, USDC } from './harness.ts'
import { lendAccountOf, lendMarketsOf, liquidatableLoans, previewLendOp } from './views.ts'

describe('lending views', () => {
  function setup() {
    const h = lendingHarness()
    h.oracle(2_000n)
    h.supply(2, ETH, 100n)
    h.supply(1, USDC, 15_000n)
    h.borrow(1, ETH, 5n)
    return h
  }

  it('markets: cash, supply, debt, utilization and the rates of the curve', () => {
    const h = setup()
    const [eth, usdc] = lendMarketsOf(h.state)
    expect(usdc!.token).toBe(USDC)
    expect(usdc!.supplied).toBe(15_000n)
    expect(usdc!.borrowed).toBe(0n)
    expect(eth!.cash).toBe(95n)
    expect(eth!.borrowed).toBe(5n)
    expect(eth!.utilizationBps).toBe(500n)
    expect(eth!.borrowRateBps).toBe(100n + (700n * 500n) / 8_000n)
    expect(eth!.price).toEqual({ num: 2_000n, den: 1n })
  })

  it('account: health factor, what can still be borrowed and withdrawn — and the fold agrees', () => {
    const h = setup()
    const a = lendAccountOf(h.state, 1)!
    expect(a.healthFactorBps).toBe((15_000n * 8_500n * 10_000n) / (10_000n * 10_000n))
    expect(a.liquidatable).toBe(false)
    const eth = a.positions.find((x) => x.token === ETH)!
    const usdc = a.positions.find((x) => x.token === USDC)!
    expect(eth.borrowed).toBe(5n)
    expect(eth.borrowable).toBe(0n) // 6 fit, minus a unit of rounding slack
    expect(usdc.supplied).toBe(15_000n)
    // 2,000 of room at 80 % frees 2,500 of supply (less a unit)
    expect(usdc.withdrawable).toBe(2_499n)
    expect(previewLendOp(h.state, { tag: OpTag.LendWithdraw, token: USDC, amount: 2_499n }, 1, 0n)).toBe(
      Reject.None,
    )
    expect(previewLendOp(h.state, { tag: OpTag.LendWithdraw, token: USDC, amount: 2_501n }, 1, 0n)).toBe(
      Reject.LoanToValue,
    )
    // the preview changed nothing
    expect(h.ls.claim(1, USDC)).toBe(15_000n)
  })

  it('lists the accounts below health 1', () => {
    const h = setup()
    expect(liquidatableLoans(h.state)).toEqual([])
    h.oracle(2_600n)
    const [row] = liquidatableLoans(h.state)
    expect(row!.trader).toBe(1)
    expect(row!.healthFactorBps).toBeLessThan(10_000n)
    expect(row!.debts[ETH]).toBe(5n)
    expect(row!.collateral[USDC]).toBe(15_000n)
    expect(row!.debtToken).toBe(ETH)
    expect(row!.collateralToken).toBe(USDC)
  })

  it('picks the collateral of the largest value, not the largest amount', () => {
    const h = lendingHarness()
    h.oracle(2_000n)
    h.supply(0, USDC, 100_000n)
    h.supply(1, USDC, 15_000n)
    h.supply(1, ETH, 10n)
    // borrowing power 15,000 · 80 % + 20,000 · 75 % = 27,000
    expect(h.borrow(1, USDC, 27_000n)).toBe(Reject.None)
    // at 1,600 the 10 ETH (16,000) are worth more than the 15,000 USDC units, though fewer units
    h.oracle(1_600n)
    const [row] = liquidatableLoans(h.state)
    expect(row!.trader).toBe(1)
    expect(row!.collateralToken).toBe(ETH)
    expect(row!.debtToken).toBe(USDC)
  })
})
