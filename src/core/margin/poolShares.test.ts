import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OpTag } from '../ops.ts'
import { markPrice } from '../perps/markPrice.ts'
import { Reject } from '../reasons.ts'
import { isLiquidatable, marginAccount, meetsInitial } from './account.ts'
import { ETH, marginHarness, PERP, Side, USDC } from './harness.ts'
import { poolStreamOp, poolStreamStart } from './streams.ts'

/** ⌊√n⌋ by bisection: independent of the engine's Newton iteration (amm/math.ts). */
function floorSqrt(n: bigint): bigint {
  let lo = 0n
  let hi = 1n
  while (hi * hi <= n) hi *= 2n
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n
    if (mid * mid <= n) lo = mid
    else hi = mid
  }
  return lo
}

/** p's pool shares at the fair reserves value, from the raw state (ETH priced at its spot mark, USDC at 1). */
function poolValue(h: ReturnType<typeof marginHarness>, p: number): bigint {
  const s = h.state
  const pool = s.amm!.pools[0]!
  const eth = markPrice(s.lending!.spotOracle[0], s.books[0]!, s.lending!.spotLastTrade[0])
  if (eth === undefined || pool.shares[p]! === 0n) return 0n
  const V = 2n * floorSqrt(pool.reserveBase * eth * pool.reserveQuote)
  return (pool.shares[p]! * V) / pool.totalShares
}

const big = () => {
  const h = marginHarness({ amm: true, amount: 10_000_000n })
  h.price(1_000n)
  return h
}

describe('AMM pool shares in the margin account', () => {
  it('count at the fair reserves value, haircut by the weaker token, and back a loan', () => {
    const h = big()
    expect(h.addLiquidity(0, 1_000n, 1_000_000n)).toBe(Reject.None)
    expect(h.supply(1, USDC, 5_000_000n)).toBe(Reject.None)
    // 30,622 of 31,622 shares; V = 2·√(1,000 · 1,000 · 1,000,000) = 2,000,000
    const a = marginAccount(h.state, 0, 'lending')
    expect(a.poolValue).toBe((30_622n * 2_000_000n) / 31_622n)
    expect(a.poolValue).toBe(poolValue(h, 0))
    expect(a.poolCollateral).toBe(a.poolValue * 8_000n) // min(ETH 8,000, USDC 8,500)
    expect(a.borrowPower).toBe(a.poolValue * 7_500n) // min(ETH 7,500, USDC 8,000)
    expect(a.supplyCollateral).toBe(0n)
    const limit = (a.poolValue * 7_500n) / 10_000n
    expect(h.borrow(0, USDC, limit + 1n)).toBe(Reject.LoanToValue)
    expect(h.borrow(0, USDC, limit)).toBe(Reject.None)
    // the shares are now needed: the loan-to-value limit holds, and a perp position needs margin of its own
    expect(h.borrow(0, USDC, 1n)).toBe(Reject.LoanToValue)
  })

  it('a swap against the pool moves the value only by the fee it pays (the pool spot is not the price)', () => {
    const h = big()
    h.addLiquidity(0, 1_000n, 1_000_000n)
    const before = marginAccount(h.state, 0, 'lending').poolValue
    // Bob pushes the pool's price up ~4×: the reserves at the pool's own spot would double in value
    expect(h.swap(1, Side.Buy, 1_000_000n)).toBe(Reject.None)
    const after = marginAccount(h.state, 0, 'lending').poolValue
    expect(after).toBeGreaterThanOrEqual(before)
    expect(after - before).toBeLessThanOrEqual((1_000_000n * 30n) / 10_000n)
    expect(after).toBe(poolValue(h, 0))
  })

  it('a lending liquidation redeems the shares into supplies and seizes them; refused, it changes nothing', () => {
    const h = big()
    h.addLiquidity(0, 1_000n, 1_000_000n)
    h.supply(1, USDC, 5_000_000n)
    const v = marginAccount(h.state, 0, 'lending').poolValue
    expect(h.borrow(0, USDC, (v * 7_500n) / 10_000n)).toBe(Reject.None)
    expect(h.liquidateLoan(3, 0, USDC, ETH, 100_000n)).toBe(Reject.LoanHealthy)
    h.price(700n)
    const a = marginAccount(h.state, 0, 'lending')
    expect(isLiquidatable(a, 500n)).toBe(true)
    // Dave's USDC all supplied: the repayment fails after the redemption, which is undone
    const pool = h.state.amm!.pools[0]
    const lend = h.state.lending!.shares.slice()
    expect(h.supply(3, USDC, 10_000_000n)).toBe(Reject.None)
    const lendAfterSupply = h.state.lending!.shares.slice()
    expect(h.liquidateLoan(3, 0, USDC, ETH, 100_000n)).toBe(Reject.InsufficientFunds)
    expect(h.state.amm!.pools[0]).toBe(pool)
    expect(h.state.lending!.shares).toEqual(lendAfterSupply)
    expect(lend[0 * 2 + ETH]).toBe(0n)
    expect(h.withdraw(3, USDC, 10_000_000n)).toBe(Reject.None)
    expect(h.liquidateLoan(3, 0, USDC, ETH, 100_000n)).toBe(Reject.None)
    expect(h.state.amm!.pools[0]!.shares[0]).toBe(0n)
    expect(h.state.lending!.shares[0 * 2 + USDC]! > 0n).toBe(true) // the redeemed USDC, supplied
    expect(h.state.lending!.shares[3 * 2 + ETH]! > 0n).toBe(true) // Dave seized ETH supply
    for (const t of [ETH, USDC]) expect(h.total(t)).toBe(5n * h.amount)
  })
})

function reference(h: ReturnType<typeof marginHarness>, p: number) {
  const s = h.state
  const ps = s.perps!
  const ls = s.lending!
  const mark = ps.mark(PERP)
  let E = ps.margin[p]!
  let N = 0n
  let open = false
  const pos = ps.positions[p * ps.M + PERP]
  if (pos && pos.size !== 0n && mark !== undefined) {
    E += pos.size * mark - pos.cost - pos.size * (ps.funding[PERP]!.cum - pos.fundingSnap)
    N += (pos.size < 0n ? -pos.size : pos.size) * mark
    open = true
  }
  const eth = markPrice(ls.spotOracle[0], s.books[0]!, ls.spotLastTrade[0])
  const ethValue = eth === undefined ? 0n : ls.claim(p, ETH) * eth
  const v = poolValue(h, p)
  const C = ls.claim(p, USDC) * 8_500n + ethValue * 8_000n + v * 8_000n
  const B = ls.claim(p, USDC) * 8_000n + ethValue * 7_500n + v * 7_500n
  const debtEth = ls.debt(p, ETH)
  const unpriced = debtEth > 0n && eth === undefined
  const D = ls.debt(p, USDC) * 10_000n + (eth === undefined ? 0n : debtEth * eth * 10_000n)
  const hasDebt = debtEth > 0n || ls.debt(p, USDC) > 0n
  return {
    liquidatable: (open || hasDebt) && (unpriced || E * 10_000n + C - D < N * 500n),
    initial: !unpriced && (E * 10_000n + B - D) * 10n >= N * 10_000n,
  }
}

describe('pool shares: properties over random perp, lending and AMM streams', () => {
  it('conserves every token and is liquidatable exactly when the inequality with the shares fails', () => {
    fc.assert(
      fc.property(fc.array(poolStreamOp, { minLength: 10, maxLength: 60 }), (ops) => {
        const h = poolStreamStart()
        expect(h.state.amm!.pools[0]!.shares[0]! > 0n && h.state.lending!.debt(0, USDC) > 0n).toBe(true)
        for (const { author, op } of ops) {
          const r = h.apply(author, op)
          for (const t of [ETH, USDC]) expect(h.total(t)).toBe(5n * h.amount)
          for (const x of h.state.avail) expect(x >= 0n).toBe(true)
          for (const t of [ETH, USDC]) expect(h.state.lending!.pools[t]!.cash >= 0n).toBe(true)
          for (let p = 0; p < 5; p++) {
            const ref = reference(h, p)
            expect(isLiquidatable(marginAccount(h.state, p, 'perps'), 500n)).toBe(ref.liquidatable)
            expect(meetsInitial(marginAccount(h.state, p, 'lending'), 10n)).toBe(ref.initial)
          }
          if (r !== Reject.None) continue
          if (op.tag === OpTag.LendBorrow || op.tag === OpTag.LendWithdraw)
            expect(reference(h, author).initial).toBe(true)
          // a liquidation that went through took every counted share of its trader
          if (op.tag === OpTag.LendLiquidate) expect(h.state.amm!.pools[0]!.shares[op.trader]).toBe(0n)
        }
      }),
      { numRuns: 40, seed: 10 },
    )
  })
})
