import { marginAccount, marginParams, meetsMaintenance } from '../margin/account.ts'
import { holdsMargin, seizableMargin, seizeMargin } from '../margin/cover.ts'
import { redeemPoolShares } from '../margin/poolShares.ts'
import { Reject } from '../reasons.ts'
import type { LendingHost, LendingState } from './engine.ts'
import { claimOf, debtOf, supplyIndex } from './pool.ts'
import type { Price } from './prices.ts'
import { BPS } from './rates.ts'

/**
 * Liquidation of an account with a debt that fails the one margin account's maintenance inequality
 * (margin/account.ts; without perps netting: health below 1, health.ts), Compound-style: the liquidator repays up to
 * `amount` of the trader's debt in `debtToken` from its own available balance and receives the trader's supply
 * shares of `collateralToken` worth the repaid value · (10,000 + bonus) / 10,000 at the current prices:
 *   seize = ⌊repay · price_debt · (10,000 + bonus) / (price_collateral · 10,000)⌋   (collateral units)
 * When the trader's claim in that token is smaller, all of it is seized and the repayment shrinks to what it covers
 * (⌊·⌋, possibly 0: the last dust of collateral). Shares move between accounts, so the pools do not change but for
 * the repayment.
 *
 * When the channel nets perps and lending, the collateral may be the margin token held in the margin account of a
 * trader without open perp positions and without a supply of that token (margin/cover.ts: price 1, same bonus; the
 * liquidator receives it in its ledger balance). An account with open positions has them liquidated first.
 *
 * An account holding AMM pool shares that count in its margin account (margin/poolShares.ts) has them redeemed at
 * the pools' reserves and supplied on its behalf first, so the liquidator seizes them as supplies (undone when the
 * liquidation is refused).
 *
 * Bad debt is recorded, never silently created: when a liquidation leaves the trader with debt, no supply left in
 * any token and nothing in a netted margin account (no margin, no position), every remaining debt is written off — the pool's `badDebt` grows by it, its reserve absorbs it first,
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
  if (!debtPool || (!ls.pools[collateralToken] && seizableMargin(host, trader, collateralToken) === 0n))
    return Reject.NotLendable
  if (amount === 0n) return Reject.ZeroAmount
  const prices = ls.prices(host)
  const acct = marginAccount(host, trader, 'lending', undefined, prices)
  if (!acct.hasDebt || meetsMaintenance(acct, marginParams(host).mm)) return Reject.LoanHealthy
  if (debtOf(ls.scaled[trader * ls.T + debtToken]!, debtPool) === 0n) return Reject.NoDebt
  // pool shares are collateral: redeemed into supplies first, where the liquidation reaches them (all or nothing)
  const undo = redeemPoolShares(host.amm, ls, host.avail, trader)
  const r = seize(ls, host, liquidator, trader, debtToken, collateralToken, amount, prices)
  if (typeof r === 'number' && undo) undo()
  return r
}

/** The liquidation proper, once the account is liquidatable and its pool shares are supplies. */
function seize(
  ls: LendingState,
  host: LendingHost,
  liquidator: number,
  trader: number,
  debtToken: number,
  collateralToken: number,
  amount: bigint,
  prices: (Price | undefined)[],
): Reject | LoanLiquidation {
  const debtPool = ls.pools[debtToken]!
  const collPool = ls.pools[collateralToken]
  const T = ls.T
  const ci = trader * T + collateralToken
  const held = collPool ? ls.shares[ci]! : 0n
  const fromMargin = held === 0n ? seizableMargin(host, trader, collateralToken) : 0n
  const di = trader * T + debtToken
  const debt = debtOf(ls.scaled[di]!, debtPool)
  if (fromMargin > 0n)
    return fromMarginAccount(ls, host, liquidator, trader, debtToken, amount, debt, fromMargin)
  if (held === 0n || !collPool) return Reject.NoCollateral
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
  return { repaid: repay, seized: seize, writtenOff: writeOffIfBare(ls, host, trader) }
}

/** The liquidator repays debt and receives the trader's margin (the margin token, price 1) with the bonus. */
function fromMarginAccount(
  ls: LendingState,
  host: LendingHost,
  liquidator: number,
  trader: number,
  debtToken: number,
  amount: bigint,
  debt: bigint,
  free: bigint,
): Reject | LoanLiquidation {
  const pd = ls.prices(host)[debtToken]
  if (!pd) return Reject.NoPrice
  const bonus = BPS + ls.params.liquidationBonusBps
  let repay = amount < debt ? amount : debt
  let seize = (repay * pd.num * bonus) / (pd.den * BPS)
  if (seize >= free) {
    seize = free
    repay = (free * pd.den * BPS) / (pd.num * bonus)
    if (repay > debt) repay = debt
  }
  const T = ls.T
  const li = liquidator * T + debtToken
  if (host.avail[li]! < repay) return Reject.InsufficientFunds
  if (repay > 0n) {
    const paid = ls.repayFor(ls.pools[debtToken]!, trader * T + debtToken, repay, host.avail[li]!)!
    host.avail[li]! -= paid
  }
  seizeMargin(host, trader, liquidator, seize)
  return { repaid: repay, seized: seize, writtenOff: writeOffIfBare(ls, host, trader) }
}

/**
 * Writes off every debt of an account that holds no supply in any token and nothing in a netted margin account (no
 * margin, no open position); returns the amount (Σ over tokens).
 */
export function writeOffIfBare(ls: LendingState, host: LendingHost, p: number): bigint {
  const T = ls.T
  for (const t of ls.lendable) if (ls.shares[p * T + t]! > 0n) return 0n
  if (holdsMargin(host, p)) return 0n
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
