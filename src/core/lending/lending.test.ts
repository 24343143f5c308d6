import { describe, expect, it } from 'vitest'
import { ChannelConfigError, openChannel } from '../channel.ts'
import { OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { stateRoot } from '../roots.ts'
import {
  ETH,
  ETH_RESERVE,
  LENDING_PARAMS,
  lendingChannel,
  lendingHarness,
  USDC,
  USDC_RESERVE,
} from './harness.ts'
import { healthFactorBps, healthOf, isLiquidatable } from './health.ts'
import { SCALE, supplyIndex, totalDebt } from './pool.ts'
import { borrowRateBps, supplyRateBps, YEAR_MS } from './rates.ts'

const M = 1_000_000n

describe('lending config', () => {
  const { channel } = lendingChannel()
  const withLending = (patch: object) => () =>
    openChannel({
      ...channel.config,
      params: { ...channel.config.params, lending: { ...LENDING_PARAMS, ...patch } },
    })
  it('accepts the test params and refuses bad ones naming the field', () => {
    expect(channel.config.params.lending).toBeDefined()
    const bad: [object, string][] = [
      [{ quoteToken: 7 }, 'params.lending.quoteToken'],
      [{ oracle: 9 }, 'params.lending.oracle'],
      [{ accrualIntervalMs: 0n }, 'params.lending.accrualIntervalMs'],
      [{ tokens: [] }, 'params.lending.tokens'],
      [{ tokens: [USDC_RESERVE, USDC_RESERVE] }, 'params.lending.tokens[1].token'],
      [{ tokens: [{ ...ETH_RESERVE, market: undefined }] }, 'params.lending.tokens[0].market'],
      [{ tokens: [{ ...USDC_RESERVE, market: 0 }] }, 'params.lending.tokens[0].market'],
      [{ tokens: [{ ...ETH_RESERVE, ltvBps: 9_000n }] }, 'params.lending.tokens[0].ltvBps'],
      [{ tokens: [{ ...ETH_RESERVE, kinkBps: 0n }] }, 'params.lending.tokens[0].kinkBps'],
      [
        { tokens: [{ ...ETH_RESERVE, liquidationThresholdBps: 9_600n }] },
        'params.lending.tokens[0].liquidationThresholdBps',
      ],
    ]
    for (const [patch, field] of bad) {
      expect(withLending(patch)).toThrow(ChannelConfigError)
      try {
        withLending(patch)()
      } catch (e) {
        expect((e as ChannelConfigError).field).toBe(field)
      }
    }
  })
})

describe('the kinked rate curve', () => {
  it('is base + slope1 up to the kink, then slope2 on top', () => {
    expect(borrowRateBps(0n, ETH_RESERVE)).toBe(100n)
    expect(borrowRateBps(4_000n, ETH_RESERVE)).toBe(100n + 350n)
    expect(borrowRateBps(8_000n, ETH_RESERVE)).toBe(800n)
    expect(borrowRateBps(9_000n, ETH_RESERVE)).toBe(800n + 15_000n)
    expect(borrowRateBps(10_000n, ETH_RESERVE)).toBe(800n + 30_000n)
    // suppliers: borrow rate · U · (1 − reserve factor)
    expect(supplyRateBps(5_000n, USDC_RESERVE)).toBe((250n * 5_000n * 9_000n) / 100_000_000n)
  })
})

describe('supply and withdraw', () => {
  it('moves funds between the ledger and the pool for shares; refuses what it cannot do', () => {
    const h = lendingHarness()
    expect(h.supply(0, USDC, 100_000n)).toBe(Reject.None)
    expect(h.state.avail[0 * 2 + USDC]).toBe(M - 100_000n)
    expect(h.ls.pools[USDC]!.cash).toBe(100_000n)
    expect(h.ls.claim(0, USDC)).toBe(100_000n)
    expect(h.supply(0, USDC, 0n)).toBe(Reject.ZeroAmount)
    expect(h.supply(0, USDC, 2n * M)).toBe(Reject.InsufficientFunds)
    expect(h.supply(0, 5, 1n)).toBe(Reject.UnknownToken)
    expect(h.withdraw(1, USDC, 1n)).toBe(Reject.NoSupply)
    expect(h.withdraw(0, USDC, 40_000n)).toBe(Reject.None)
    expect(h.ls.claim(0, USDC)).toBe(60_000n)
    // an amount above the claim withdraws all of it
    expect(h.withdraw(0, USDC, 10n * M)).toBe(Reject.None)
    expect(h.ls.shares[0 * 2 + USDC]).toBe(0n)
    expect(h.state.avail[0 * 2 + USDC]).toBe(M)
    expect(h.total(USDC)).toBe(5n * M)
  })

  it('refuses a token without a pool and an observer', () => {
    const h = lendingHarness({ lending: { tokens: [USDC_RESERVE] } })
    expect(h.supply(0, ETH, 1n)).toBe(Reject.NotLendable)
  })
})

describe('borrow and repay', () => {
  it('needs a price, cash in the pool and the loan-to-value limit', () => {
    const h = lendingHarness()
    h.supply(2, ETH, 100n)
    h.supply(1, USDC, 15_000n)
    expect(h.borrow(1, ETH, 5n)).toBe(Reject.NoPrice)
    h.oracle(2_000n)
    expect(h.borrow(1, ETH, 101n)).toBe(Reject.PoolLiquidity)
    // 15,000 USDC at 80 % LTV borrows 12,000 USDC of value: 6 ETH at 2,000
    expect(h.borrow(1, ETH, 7n)).toBe(Reject.LoanToValue)
    expect(h.borrow(1, ETH, 6n)).toBe(Reject.None)
    expect(h.state.avail[1 * 2 + ETH]).toBe(M + 6n)
    expect(h.ls.debt(1, ETH)).toBe(6n)
    // the supply backing the loan cannot leave
    expect(h.withdraw(1, USDC, 1n)).toBe(Reject.LoanToValue)
    expect(h.repay(0, ETH, 1n)).toBe(Reject.NoDebt)
    expect(h.repay(1, ETH, 2n)).toBe(Reject.None)
    expect(h.ls.debt(1, ETH)).toBe(4n)
    // an amount above the debt repays exactly the debt
    expect(h.repay(1, ETH, 1_000n)).toBe(Reject.None)
    expect(h.ls.debt(1, ETH)).toBe(0n)
    expect(h.state.avail[1 * 2 + ETH]).toBe(M)
    expect(h.withdraw(1, USDC, 15_000n)).toBe(Reject.None)
    expect(h.total(ETH)).toBe(5n * M)
    expect(h.total(USDC)).toBe(5n * M)
  })
})

describe('interest', () => {
  it('accrues through the borrow index per whole interval, suppliers earn it minus the reserve', () => {
    const h = lendingHarness({ amount: 10n ** 15n })
    const BIG = 10n ** 12n
    h.oracle(1n)
    h.supply(0, USDC, BIG)
    h.supply(1, ETH, 10n * BIG)
    // borrow half the pool: U = 50 %, rate = 400 · 5,000 / 8,000 = 250 bps per year
    expect(h.borrow(1, USDC, BIG / 2n)).toBe(Reject.None)
    const pool = h.ls.pools[USDC]!
    expect(pool.epoch).toBe(0n)
    h.time = 999n // still epoch 0: nothing accrues (a lending op in another pool triggers accrual)
    h.supply(2, ETH, 1n)
    expect(pool.borrowIndex).toBe(SCALE)
    h.time = YEAR_MS
    h.supply(2, ETH, 1n)
    const debt = h.ls.debt(1, USDC)
    // 2.5 % on 0.5·10^12, rounded up
    expect(debt).toBe(BIG / 2n + ((BIG / 2n) * 250n) / 10_000n)
    const interest = debt - BIG / 2n
    expect(pool.reserve).toBe(interest / 10n)
    // Alice earns the interest minus the 10 % reserve (less at most a unit of rounding)
    const earned = h.ls.claim(0, USDC) - BIG
    expect(earned).toBeLessThanOrEqual(interest - pool.reserve)
    expect(earned).toBeGreaterThanOrEqual(interest - pool.reserve - 2n)
    // the pool never owes more than it has: Σ claims + reserve ≤ cash + Σ debts
    let claims = 0n
    let debts = 0n
    for (let p = 0; p < 5; p++) {
      claims += h.ls.claim(p, USDC)
      debts += h.ls.debt(p, USDC)
    }
    expect(claims + pool.reserve).toBeLessThanOrEqual(pool.cash + debts)
    expect(totalDebt(pool)).toBeLessThanOrEqual(debts)
    expect(h.total(USDC)).toBe(5n * 10n ** 15n)
  })

  it('reads the clock only in lending ops and keys it by both epochs', () => {
    const h = lendingHarness()
    h.state.timeRead = undefined
    h.apply(0, { tag: OpTag.Transfer, to: 1, token: 0, amount: 1n })
    expect(h.state.timeRead).toBeUndefined()
    h.time = 5_500n
    h.supply(0, USDC, 1n)
    expect(h.state.timeRead).toBe(5n)
    expect(h.state.timeKey(5_999n)).toBe(5n)
  })
})

describe('health and liquidation', () => {
  function borrowed() {
    const h = lendingHarness()
    h.oracle(2_000n)
    h.supply(2, ETH, 100n) // Carol supplies ETH
    h.supply(1, USDC, 15_000n) // Bob's collateral
    expect(h.borrow(1, ETH, 6n)).toBe(Reject.None)
    return h
  }

  it('health = Σ collateral · price · threshold against Σ debt · price', () => {
    const h = borrowed()
    const hb = healthOf(h.ls, h.state, 1)
    expect(hb.collateral).toBe(15_000n * 8_500n)
    expect(hb.debt).toBe(12_000n * 10_000n)
    expect(healthFactorBps(hb)).toBe((15_000n * 8_500n * 10_000n) / (12_000n * 10_000n))
    expect(isLiquidatable(hb)).toBe(false)
    expect(h.liquidate(3, 1, ETH, USDC, 1n)).toBe(Reject.LoanHealthy)
  })

  it('after a price move the Liquidator repays debt and seizes collateral with the bonus', () => {
    const h = borrowed()
    h.oracle(2_200n) // 6 ETH = 13,200 > 15,000 · 85 % = 12,750
    expect(isLiquidatable(healthOf(h.ls, h.state, 1))).toBe(true)
    expect(h.liquidate(0, 1, ETH, USDC, 3n)).toBe(Reject.NotPermitted) // Alice is no Liquidator
    expect(h.liquidate(3, 3, ETH, USDC, 3n)).toBe(Reject.NotPermitted)
    expect(h.liquidate(3, 1, USDC, USDC, 3n)).toBe(Reject.NoDebt)
    expect(h.liquidate(3, 1, ETH, ETH, 3n)).toBe(Reject.NoCollateral)
    expect(h.liquidate(3, 1, ETH, USDC, 3n)).toBe(Reject.None)
    // 3 ETH · 2,200 · 1.05 = 6,930 USDC of Bob's supply moves to Dave
    expect(h.ls.claim(3, USDC)).toBe(6_930n)
    expect(h.ls.claim(1, USDC)).toBe(15_000n - 6_930n)
    expect(h.ls.debt(1, ETH)).toBe(3n)
    expect(h.state.avail[3 * 2 + ETH]).toBe(M - 3n)
    expect(isLiquidatable(healthOf(h.ls, h.state, 1))).toBe(false)
    expect(h.total(ETH)).toBe(5n * M)
    expect(h.total(USDC)).toBe(5n * M)
  })

  it('records bad debt explicitly when the collateral runs out: reserve first, then the suppliers', () => {
    const h = borrowed()
    h.oracle(3_000n) // 6 ETH = 18,000 > 15,000 of collateral: insolvent
    expect(h.liquidate(3, 1, ETH, USDC, 6n)).toBe(Reject.None)
    // all 15,000 USDC go for ⌊15,000 / (3,000 · 1.05)⌋ = 4 ETH; the 2 ETH left are written off
    expect(h.ls.claim(1, USDC)).toBe(0n)
    expect(h.ls.claim(3, USDC)).toBe(15_000n)
    expect(h.ls.debt(1, ETH)).toBe(0n)
    const pool = h.ls.pools[ETH]!
    expect(pool.badDebt).toBe(2n)
    expect(pool.totalScaled).toBe(0n)
    // Carol supplied 100 ETH; 2 were lost: her claim is 98
    expect(supplyIndex(pool)).toBe((98n * SCALE) / 100n)
    expect(h.ls.claim(2, ETH)).toBe(98n)
    expect(h.total(ETH)).toBe(5n * M)
    expect(h.total(USDC)).toBe(5n * M)
  })
})

describe('the spot mark prices collateral', () => {
  it('is median(oracle, book mid, last trade)', () => {
    const h = lendingHarness()
    h.oracle(2_000n)
    const place = (p: number, side: Side, price: bigint) =>
      h.apply(p, {
        tag: OpTag.Place,
        market: 0,
        side,
        kind: OrderKind.Limit,
        tif: TimeInForce.GTC,
        price,
        qty: 1n,
      })
    place(0, Side.Sell, 2_100n)
    place(2, Side.Buy, 2_100n) // trade at 2,100
    place(0, Side.Sell, 2_300n)
    place(2, Side.Buy, 2_250n) // mid 2,275
    expect(h.ls.prices(h.state)[ETH]).toEqual({ num: 2_100n, den: 1n })
    // only the lending oracle posts spot prices
    expect(h.apply(0, { tag: OpTag.OraclePrice, market: 0, price: 5n })).toBe(Reject.NotPermitted)
  })
})

describe('settlement', () => {
  it('closes out an insolvent borrower that nobody liquidated: suppliers take its collateral', () => {
    const h = lendingHarness()
    h.oracle(2_000n)
    h.supply(2, ETH, 100n)
    h.supply(1, USDC, 15_000n)
    h.borrow(1, ETH, 6n)
    // Bob spends the ETH he borrowed, then ETH doubles
    h.apply(1, { tag: OpTag.Transfer, to: 0, token: ETH, amount: M + 6n })
    h.oracle(4_000n)
    // Bob owes 6 ETH he no longer has: 24,000 USDC of value, but holds only 15,000 (+ 1 M in the ledger)
    const before = { eth: h.state.holdings(2, ETH), usdc: h.state.holdings(2, USDC) }
    expect(h.state.holdings(1, ETH)).toBe(0n)
    expect(before.eth).toBe(M - 100n + 94n) // Carol's 100 ETH claim less the 6 ETH shortfall
    expect(before.usdc).toBe(M + 24_000n) // paid 6 · 4,000 USDC from Bob's holdings
    expect(h.state.holdings(1, USDC)).toBe(M - 24_000n) // its ledger (M − 15,000) plus its 15,000 claim, less 24,000
    expect(h.total(ETH)).toBe(5n * M)
    expect(h.total(USDC)).toBe(5n * M)
  })

  it('puts the pool into the state root', () => {
    const h = lendingHarness()
    const r0 = stateRoot(h.state)
    h.supply(0, USDC, 1n)
    expect(stateRoot(h.state)).not.toEqual(r0)
  })
})
