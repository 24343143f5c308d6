import { marginAccount, marginParams, meetsMaintenance } from '../margin/account.ts'
import type { Op } from '../ops.ts'
import { Reject } from '../reasons.ts'
import type { ChannelState } from '../state.ts'
import { type Health, healthFactorBps } from './health.ts'
import { supplyIndex, totalDebt, utilization } from './pool.ts'
import type { Price } from './prices.ts'
import { borrowRateBps, supplyRateBps } from './rates.ts'

/**
 * Read-only views of the lending pool for the UI (pure, integers only; the screens format them). Amounts are base
 * units of each token, values quote-token units, rates and ratios basis points.
 */
export type LendMarketView = {
  token: number
  /** quote units per base unit as a fraction; undefined while the token has no price */
  price: Price | undefined
  cash: bigint
  supplied: bigint
  borrowed: bigint
  reserve: bigint
  badDebt: bigint
  utilizationBps: bigint
  borrowRateBps: bigint
  supplyRateBps: bigint
  ltvBps: bigint
  liquidationThresholdBps: bigint
}

export type LendPositionView = {
  token: number
  supplied: bigint
  borrowed: bigint
  /** the ledger's available balance (what a supply or repayment takes) */
  available: bigint
  /** what can surely still be borrowed (loan-to-value less a unit or two of rounding, and the pool's cash) */
  borrowable: bigint
  /** what of the supply can surely be withdrawn (loan-to-value less a unit of rounding, and the pool's cash) */
  withdrawable: bigint
}

export type LendAccountView = {
  /**
   * The one margin account's health (margin/account.ts) in the lending terms, × 10,000: collateral = perp equity ·
   * 10,000 + supplies at threshold; borrowPower = perp equity · 10,000 + supplies at LTV − the positions' initial
   * margin; debt = loans + the positions' maintenance margin. Without perps netted: the lending figures alone.
   */
  health: Health
  /**
   * `health`'s parts, × 10,000, for display: the loans alone (Σ debt · price), the perp positions' maintenance margin
   * netted into the debt, and the perp equity netted into the collateral (0 without perps)
   */
  loans: bigint
  perpMaintenance: bigint
  perpEquity: bigint
  /** collateral / debt in bps (10,000 = health 1); undefined without debt */
  healthFactorBps: bigint | undefined
  liquidatable: boolean
  positions: LendPositionView[]
}

export function lendMarketsOf(state: ChannelState): LendMarketView[] {
  const ls = state.lending
  if (!ls) return []
  const prices = ls.prices(state)
  return ls.lendable.map((t) => {
    const pool = ls.pools[t]!
    const k = ls.cfg[t]!
    const u = utilization(pool)
    const supplied = (pool.totalShares * supplyIndex(pool)) / 10n ** 18n
    return {
      token: t,
      price: prices[t],
      cash: pool.cash,
      supplied,
      borrowed: totalDebt(pool),
      reserve: pool.reserve,
      badDebt: pool.badDebt,
      utilizationBps: u,
      borrowRateBps: borrowRateBps(u, k),
      supplyRateBps: supplyRateBps(u, k),
      ltvBps: k.ltvBps,
      liquidationThresholdBps: k.liquidationThresholdBps,
    }
  })
}

/** Participant p's lending account: health, and per lendable token what it supplied, owes and may still move. */
export function lendAccountOf(state: ChannelState, p: number): LendAccountView | undefined {
  const ls = state.lending
  if (!ls) return undefined
  const prices = ls.prices(state)
  const a = marginAccount(state, p, 'lending', undefined, prices)
  const { maxLeverage, mm } = marginParams(state)
  const equity = a.equity * 10_000n
  const health: Health = {
    collateral: equity + a.collateral,
    borrowPower: equity + a.borrowPower - (a.notional * 10_000n + maxLeverage - 1n) / maxLeverage,
    debt: a.debt + a.notional * mm,
    hasDebt: a.hasDebt,
    unpriced: a.unpricedDebt,
  }
  // the room under the initial inequality (loan-to-value, netted), in quote units · 10,000
  const room = health.borrowPower > a.debt ? health.borrowPower - a.debt : 0n
  const bound = a.debt > 0n || a.notional > 0n
  const positions = ls.lendable.map((t) => {
    const k = ls.cfg[t]!
    const pool = ls.pools[t]!
    const px = prices[t]
    const supplied = ls.claim(p, t)
    let borrowable = 0n
    let withdrawable = 0n
    if (px) {
      // a new debt is counted up twice (scaled units, then its value): keep clear of that rounding
      const byValue = ((room / 10_000n) * px.den) / px.num
      const slack = (pool.borrowIndex + 10n ** 18n - 1n) / 10n ** 18n
      borrowable = byValue > slack ? byValue - slack : 0n
      const freed = k.ltvBps === 0n ? supplied : (room * px.den) / (px.num * k.ltvBps)
      withdrawable = !bound ? supplied : freed > 0n ? freed - 1n : 0n
    } else if (!bound) withdrawable = supplied
    if (borrowable > pool.cash) borrowable = pool.cash
    if (withdrawable > supplied) withdrawable = supplied
    if (withdrawable > pool.cash) withdrawable = pool.cash
    return {
      token: t,
      supplied,
      borrowed: ls.debt(p, t),
      available: state.avail[p * state.T + t]!,
      borrowable,
      withdrawable,
    }
  })
  return {
    health,
    loans: a.debt,
    perpMaintenance: a.notional * mm,
    perpEquity: equity,
    healthFactorBps: healthFactorBps(health),
    liquidatable: a.hasDebt && !meetsMaintenance(a, mm),
    positions,
  }
}

export type LiquidatableLoan = {
  trader: number
  healthFactorBps: bigint
  debts: bigint[]
  collateral: bigint[]
  /** the debt and the collateral of the largest value (token indexes): what a liquidation button takes */
  debtToken: number
  collateralToken: number
}

/** The token whose amount is worth the most at the current prices (unpriced ones last). */
function largestByValue(amounts: readonly bigint[], prices: readonly (Price | undefined)[]): number {
  let best = 0
  let bestValue = -1n
  amounts.forEach((x, t) => {
    const px = prices[t]
    const v = x > 0n && px ? (x * px.num) / px.den : x > 0n ? 0n : -1n
    if (v > bestValue) {
      best = t
      bestValue = v
    }
  })
  return best
}

/** Accounts with debt below health 1 (in participant order), with their debts and supplies per token index. */
export function liquidatableLoans(state: ChannelState): LiquidatableLoan[] {
  const ls = state.lending
  if (!ls) return []
  const prices = ls.prices(state)
  const { mm } = marginParams(state)
  const out: LiquidatableLoan[] = []
  for (let p = 0; p < ls.P; p++) {
    const a = marginAccount(state, p, 'lending', undefined, prices)
    if (!a.hasDebt || meetsMaintenance(a, mm)) continue
    const h = { collateral: a.equity * 10_000n + a.collateral, debt: a.debt + a.notional * mm }
    const debts = ls.cfg.map((k, t) => (k ? ls.debt(p, t) : 0n))
    const collateral = ls.cfg.map((k, t) => (k ? ls.claim(p, t) : 0n))
    out.push({
      trader: p,
      healthFactorBps: h.debt === 0n ? 0n : (h.collateral * 10_000n) / h.debt,
      debts,
      collateral,
      debtToken: largestByValue(debts, prices),
      collateralToken: largestByValue(collateral, prices),
    })
  }
  return out
}

/**
 * What the fold would say to `op` by participant `me` at channel time `time`, on a copy of the state: the reason
 * a form can show before anything is sent (the real verdict is the op's at its final position).
 */
export function previewLendOp(state: ChannelState, op: Op, me: number, time: bigint): Reject {
  if (!state.lending) return Reject.NotLendable
  const copy = state.clone()
  copy.trades = []
  return copy.apply(op, { author: me, seq: 0n, index: 0, height: 0, block: 'preview', time })
}
