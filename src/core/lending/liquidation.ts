import { Reject } from '../reasons.ts'
import type { LendingHost, LendingState } from './engine.ts'
import { healthOf, isLiquidatable } from './health.ts'
import { claimOf, debtOf, supplyIndex } from './pool.ts'
import { BPS } from './rates.ts'

/**
 * Liquidation of an account whose health is below 1 (health.ts), Compound-style: the liquidator repays up to
 * `amount` of the trader's debt in `debtToken` from its own available balance and receives the trader's supply
 * shares of `collateralToken` worth the repaid value · (10,000 + bonus) / 10,000 at the current prices:
 *   seize = ⌊repay · price_debt · (10,000 + bonus) / (price_collateral · 10,000)⌋   (collateral units)
 * When the trader's claim in that token is smaller, all of it is seized and the repayment shrinks to what it covers
 * (⌊·⌋, possibly 0: the last dust of collateral). Shares move between accounts, so the pools do not change but for
 * the repayment.
 *
 * Bad debt is recorded, never silently created: when a liquidation leaves the trader with debt and no supply left in
 * any token, every remaining debt is written off — the pool's `badDebt` grows by it, its reserve absorbs it first,
 * and the supply index (the pool's assets per share) falls so that the suppliers bear the rest pro rata.
 */
export type LoanLiquidation = { repaid: bigint; seized: bigint; writtenOff: bigint }

export function liquidateLoan(
  ls: LendingState,
  host: LendingHost,
  liquidator: number,
  trader: number,
  debtToken: number,
  collateralToken: number,
  amount: bigint,
): Reject | LoanLiquidation {
  const debtPool = ls.pools[debtToken]
  const collPool = ls.pools[collateralToken]
  if (!debtPool || !collPool) return Reject.NotLendable
  if (amount === 0n) return Reject.ZeroAmount
  const T = ls.T
  const prices = ls.prices(host)
  if (!isLiquidatable(healthOf(ls, host, trader, prices))) return Reject.LoanHealthy
  const di = trader * T + debtToken
  const ci = trader * T + collateralToken
  const debt = debtOf(ls.scaled[di]!, debtPool)
  if (debt === 0n) return Reject.NoDebt
  const held = ls.shares[ci]!
  if (held === 0n) return Reject.NoCollateral
  const pd = prices[debtToken]
  const pc = prices[collateralToken]
  if (!pd || !pc) return Reject.NoPrice
  const index = supplyIndex(collPool)
  const claim = claimOf(held, index)
  const bonus = BPS + ls.params.liquidationBonusBps
  let repay = amount < debt ? amount : debt
  let seize = (repay * pd.num * pc.den * bonus) / (pd.den * pc.num * BPS)
  let seizedShares: bigint
  if (seize >= claim) {
    seize = claim
    seizedShares = held
    repay = (claim * pc.num * pd.den * BPS) / (pc.den * pd.num * bonus)
    if (repay > debt) repay = debt
  } else {
    seizedShares = (seize * 10n ** 18n + index - 1n) / index
    if (seizedShares > held) seizedShares = held
  }
  const li = liquidator * T + debtToken
  if (host.avail[li]! < repay) return Reject.InsufficientFunds
  if (repay > 0n) {
    const paid = ls.repayFor(debtPool, di, repay, host.avail[li]!)!
    host.avail[li]! -= paid
  }
  ls.shares[ci] = held - seizedShares
  ls.shares[liquidator * T + collateralToken]! += seizedShares
  return { repaid: repay, seized: seize, writtenOff: writeOffIfBare(ls, trader) }
}

/** Writes off every debt of an account that holds no supply in any token; returns the amount (Σ over tokens). */
export function writeOffIfBare(ls: LendingState, p: number): bigint {
  const T = ls.T
  for (const t of ls.lendable) if (ls.shares[p * T + t]! > 0n) return 0n
  let total = 0n
  for (const t of ls.lendable) {
    const i = p * T + t
    const sc = ls.scaled[i]!
    if (sc === 0n) continue
    const pool = ls.pools[t]!
    const d = debtOf(sc, pool)
    ls.scaled[i] = 0n
    pool.totalScaled -= sc
    pool.badDebt += d
    pool.reserve -= d < pool.reserve ? d : pool.reserve
    total += d
  }
  return total
}
