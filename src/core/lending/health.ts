import type { LendingHost, LendingState } from './engine.ts'
import { claimOf, debtOf, supplyIndex } from './pool.ts'
import { type Price, priceOf, valueDown, valueUp } from './prices.ts'

/**
 * One account's lending health, in quote units × 10,000 (so thresholds in bps stay integers):
 *   collateral  = Σ_t ⌊claim_t · price_t⌋ · liquidationThreshold_t
 *   borrowPower = Σ_t ⌊claim_t · price_t⌋ · ltv_t
 *   debt        = Σ_t ⌈debt_t · price_t⌉ · 10,000
 * health ≥ 1 ⇔ collateral ≥ debt; an account with debt is liquidatable exactly when collateral < debt. Borrowing
 * and withdrawing a supply must leave borrowPower ≥ debt (the loan-to-value limit). Every supply counts as
 * collateral; an unpriced token counts 0 as collateral, and an unpriced debt makes the account unhealthy.
 */
export type Health = {
  collateral: bigint
  borrowPower: bigint
  debt: bigint
  hasDebt: boolean
  /** a debt in a token without a price: `debt` then exceeds every collateral (margin/account.ts checks the flag) */
  unpriced: boolean
}

export function healthOf(
  ls: LendingState,
  host: LendingHost,
  p: number,
  prices?: (Price | undefined)[],
): Health {
  let collateral = 0n
  let borrowPower = 0n
  let debt = 0n
  let hasDebt = false
  let unpricedDebt = false
  const src = prices ? undefined : ls.sources(host)
  for (const t of ls.lendable) {
    const i = p * ls.T + t
    const sh = ls.shares[i]!
    const sc = ls.scaled[i]!
    if (sh === 0n && sc === 0n) continue
    const k = ls.cfg[t]!
    const pool = ls.pools[t]!
    const px = prices ? prices[t] : priceOf(k, src!)
    if (sh > 0n && px) {
      const v = valueDown(claimOf(sh, supplyIndex(pool)), px)
      collateral += v * k.liquidationThresholdBps
      borrowPower += v * k.ltvBps
    }
    if (sc > 0n) {
      hasDebt = true
      if (px) debt += valueUp(debtOf(sc, pool), px) * 10_000n
      else unpricedDebt = true
    }
  }
  // an unpriced debt cannot be valued: the account is treated as unhealthy (cannot happen once a price exists)
  if (unpricedDebt) debt = collateral + borrowPower + 1n
  return { collateral, borrowPower, debt, hasDebt, unpriced: unpricedDebt }
}

export const isHealthy = (h: Health) => h.collateral >= h.debt
export const withinLtv = (h: Health) => h.borrowPower >= h.debt
export const isLiquidatable = (h: Health) => h.hasDebt && !isHealthy(h)

/** Health factor in bps (collateral / debt · 10,000), undefined without debt: for display. */
export function healthFactorBps(h: Health): bigint | undefined {
  return h.debt === 0n ? undefined : (h.collateral * 10_000n) / h.debt
}
