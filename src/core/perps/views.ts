import type { OrderBook } from '../book.ts'
import { isLiquidatable, marginAccount, meetsInitial, meetsMaintenance, netValue } from '../margin/account.ts'
import type { ChannelState } from '../state.ts'
import type { FundingEvent, PerpsState } from './engine.ts'
import { bookMid } from './markPrice.ts'
import { abs, accruedFunding, entryPrice, unrealizedPnl } from './positions.ts'

/**
 * Read-only views of the perp side of a channel state for the UI (pure, integers only; the screens format them).
 * Prices are ticks, sizes lots, money quote units of the collateral token, ratios basis points.
 */

export type PerpMarketView = {
  market: number
  /** oracle (index) price, book mid, last trade and the mark the channel margins with; undefined when absent */
  oracle: bigint | undefined
  mid: bigint | undefined
  lastTrade: bigint | undefined
  mark: bigint | undefined
  /** the last funding rate applied (quote units per lot and interval, > 0: longs pay) and the cumulative index */
  fundingRate: bigint
  cumulativeFunding: bigint
  /** Σ of long sizes (lots) = Σ of short sizes */
  openInterest: bigint
  /** the latest funding payments, newest first */
  fundingHistory: FundingEvent[]
}

/** Every perp market of the channel, in market order; [] when the channel has none. */
export function perpMarketsOf(state: ChannelState): PerpMarketView[] {
  const ps = state.perps
  if (!ps) return []
  return ps.perpMarkets.map((m) => {
    const openInterest = ps.openInterest(m)
    const f = ps.funding[m]!
    return {
      market: m,
      oracle: ps.oracle[m],
      mid: bookMid(state.books[m] as OrderBook),
      lastTrade: ps.lastTrade[m],
      mark: ps.mark(m),
      fundingRate: f.rate,
      cumulativeFunding: f.cum,
      openInterest,
      fundingHistory: ps.fundingHistory[m]!.slice().reverse(),
    }
  })
}

export type PerpPositionView = {
  market: number
  /** lots, > 0 long, < 0 short */
  size: bigint
  /** average entry (ticks, truncated) and the mark it is valued at */
  entry: bigint
  mark: bigint
  /** at mark, funding accrued since the last settlement included */
  unrealizedPnl: bigint
  realizedPnl: bigint
  /** funding paid (> 0) or received (< 0) so far, accrued included */
  fundingPaid: bigint
  /** |size| · mark · tick */
  notional: bigint
  /**
   * The mark of this market (others held at theirs) at which the account fails maintenance margin; undefined when
   * no positive price does (e.g. a long backed by more than its notional).
   */
  liquidationPrice: bigint | undefined
}

/** The participant's open perp positions (and closed ones with realized PnL or funding), in market order. */
export function perpPositionsOf(state: ChannelState, p: number): PerpPositionView[] {
  const ps = state.perps
  if (!ps) return []
  // the one margin account: the net value counts the account's loans and supplies when the channel nets them
  const a = marginAccount(state, p, 'perps')
  const acct = { net: netValue(a), notional: a.notional }
  const rows: PerpPositionView[] = []
  for (const m of ps.perpMarkets) {
    const pos = ps.positions[p * ps.M + m]
    if (!pos) continue
    const cum = ps.funding[m]!.cum
    const mark = ps.mark(m) ?? 0n
    const tick = ps.tick(m)
    rows.push({
      market: m,
      size: pos.size,
      entry: entryPrice(pos, tick),
      mark,
      unrealizedPnl: pos.size === 0n ? 0n : unrealizedPnl(pos, mark, tick, cum),
      realizedPnl: pos.realized,
      fundingPaid: pos.fundingPaid + accruedFunding(pos, cum),
      notional: abs(pos.size) * mark * tick,
      liquidationPrice: liquidationPrice(ps, acct, pos.size, mark, tick),
    })
  }
  return rows
}

/**
 * The highest mark (long) or lowest mark (short) of this market at which the account is liquidatable, its other
 * positions held at their marks. health(P) = equity(P)·10,000 − notional(P)·mm is linear in P with
 * equity(P) = E + s·t·(P − M) and notional(P) = N − |s|·t·M + |s|·t·P, so health(P) = den·P − num with
 * den = t·(s·10,000 − |s|·mm) (> 0 for longs, < 0 for shorts) and num = N·mm − |s|·t·M·mm − E·10,000 + s·t·M·10,000:
 * a long is liquidatable exactly below num/den, a short exactly above.
 */
function liquidationPrice(
  ps: PerpsState,
  acct: { net: bigint; notional: bigint },
  size: bigint,
  mark: bigint,
  tick: bigint,
): bigint | undefined {
  if (size === 0n) return undefined
  const mm = ps.params.maintenanceMarginBps
  const a = abs(size)
  const num = acct.notional * mm - a * tick * mark * mm - acct.net + size * tick * mark * 10_000n
  const den = tick * (size * 10_000n - a * mm)
  let f = num / den
  if (num % den !== 0n && num < 0n !== den < 0n) f -= 1n
  const exact = f * den === num
  const price = size > 0n ? (exact ? f - 1n : f) : f + 1n
  return price > 0n ? price : undefined
}

export type PerpAccountView = {
  /** collateral in the margin account (realized PnL and settled funding included; may be < 0) */
  collateral: bigint
  /** collateral + unrealized PnL at mark */
  equity: bigint
  notional: bigint
  /** notional / maxLeverage and notional · mm / 10,000 */
  initialMargin: bigint
  maintenanceMargin: bigint
  /**
   * The one margin account's net value (equity · 10,000 + lending collateral at threshold − debt, margin/account.ts)
   * / notional, in bps (undefined without positions); liquidatable below maintenanceMarginBps. Equity / notional
   * when the channel has no lending pool netted with the perps.
   */
  marginRatioBps: bigint | undefined
  /**
   * The lending side of the account when it nets (quote units, 0 otherwise): lendingCollateral = supplies and pool
   * shares at their liquidation thresholds (C / 10,000, margin/account.ts), split below; lendingDebt = D / 10,000.
   */
  lendingCollateral: bigint
  lendingDebt: bigint
  /** supplies at their liquidation thresholds (quote units) */
  supplyCollateral: bigint
  /** AMM pool shares: their fair value (before the haircut) and what they add to lendingCollateral (quote units) */
  poolShareValue: bigint
  poolCollateral: bigint
  /** notional / equity, ×100 (250 = 2.5×); undefined without positions or with equity ≤ 0 */
  leverageX100: bigint | undefined
  healthy: boolean
  /** has a position and fails maintenance margin: anyone allowed may liquidate it */
  liquidatable: boolean
  /** within initial margin (what opening more, or withdrawing, requires) */
  withinInitialMargin: boolean
  /** what a MarginWithdraw could take now: the most that keeps equity ≥ notional / maxLeverage */
  withdrawable: bigint
  /** the channel's parameters the numbers above depend on */
  maxLeverage: bigint
  maintenanceMarginBps: bigint
}

/** The participant's margin account: its health, in integers; undefined in a channel without perps. */
export function perpAccountOf(state: ChannelState, p: number): PerpAccountView | undefined {
  const ps = state.perps
  if (!ps) return undefined
  const a = marginAccount(state, p, 'perps')
  const mm = ps.params.maintenanceMarginBps
  let settled = ps.margin[p]!
  for (const m of ps.perpMarkets) {
    const pos = ps.positions[p * ps.M + m]
    if (pos) settled -= accruedFunding(pos, ps.funding[m]!.cum)
  }
  // (equity − amount) · 10,000 + borrowPower − debt ≥ ⌈notional · 10,000 / maxLeverage⌉ (margin/account.ts), and no
  // more than the settled collateral (engine.withdrawMargin)
  const need = (a.notional * 10_000n + ps.maxLeverage - 1n) / ps.maxLeverage
  const slack = a.equity * 10_000n + a.borrowPower - a.debt - need
  let withdrawable = slack < 0n ? 0n : slack / 10_000n
  if (withdrawable > settled) withdrawable = settled
  if (withdrawable > ps.collateral) withdrawable = ps.collateral
  if (withdrawable < 0n) withdrawable = 0n
  return {
    collateral: ps.margin[p]!,
    equity: a.equity,
    notional: a.notional,
    initialMargin: a.notional / ps.maxLeverage,
    maintenanceMargin: (a.notional * mm) / 10_000n,
    marginRatioBps: a.notional === 0n ? undefined : netValue(a) / a.notional,
    lendingCollateral: a.collateral / 10_000n,
    lendingDebt: a.debt / 10_000n,
    supplyCollateral: a.supplyCollateral / 10_000n,
    poolShareValue: a.poolValue,
    poolCollateral: a.poolCollateral / 10_000n,
    leverageX100: a.notional === 0n || a.equity <= 0n ? undefined : (a.notional * 100n) / a.equity,
    healthy: meetsMaintenance(a, mm),
    liquidatable: a.positions > 0 && !meetsMaintenance(a, mm),
    withinInitialMargin: meetsInitial(a, ps.maxLeverage),
    withdrawable,
    maxLeverage: ps.maxLeverage,
    maintenanceMarginBps: mm,
  }
}

export type LiquidatableRow = {
  trader: number
  market: number
  size: bigint
  equity: bigint
  notional: bigint
}

/** Every (trader, market) position of an account below maintenance margin, by trader then market. */
export function liquidatablePositions(state: ChannelState): LiquidatableRow[] {
  const ps = state.perps
  if (!ps) return []
  const rows: LiquidatableRow[] = []
  for (let p = 0; p < ps.P; p++) {
    const a = marginAccount(state, p, 'perps')
    if (a.positions === 0 || !isLiquidatable(a, ps.params.maintenanceMarginBps)) continue
    for (const m of ps.perpMarkets) {
      const size = ps.positions[p * ps.M + m]?.size ?? 0n
      if (size !== 0n) rows.push({ trader: p, market: m, size, equity: a.equity, notional: a.notional })
    }
  }
  return rows
}
