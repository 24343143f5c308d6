import type { LendingHost, LendingState } from '../lending/engine.ts'
import type { Price } from '../lending/prices.ts'
import type { PerpsState } from '../perps/engine.ts'
import { type Change, account as perpAccount } from '../perps/margin.ts'
import { type LendingTerms, lendingTerms } from './terms.ts'

const NO_TERMS: LendingTerms = {
  collateral: 0n,
  borrowPower: 0n,
  debt: 0n,
  hasDebt: false,
  unpriced: false,
  supplyCollateral: 0n,
  poolValue: 0n,
  poolCollateral: 0n,
}

/**
 * One margin account per participant (netting): the perp margin account and the lending position are one account
 * with one health inequality, so a supply can back a perp position and a perp profit a loan — capital backs several
 * positions at once (the design's "utilization can exceed 100 % through netting").
 *
 * The terms, all integers (values in the collateral / quote token; lending terms already × 10,000):
 *   E  = margin + Σ unrealized PnL at mark (funding accrued included)             perps/margin.ts
 *   N  = Σ |size| · mark · tick                                                    perps/margin.ts
 *   C  = Σ ⌊claim · price⌋ · liquidationThreshold,  B = Σ ⌊claim · price⌋ · ltv     lending/health.ts
 *   D  = Σ ⌈debt · price⌉ · 10,000
 *   C and B include the AMM pool shares (poolShares.ts): v = the holder's part of the pool's fair reserves value at
 *   the lending prices, weighted by the weaker token's liquidationThreshold (C) and ltv (B)
 *
 *   initial      (E · 10,000 + B − D) · maxLeverage ≥ N · 10,000
 *   maintenance   E · 10,000 + C − D                ≥ N · maintenanceMarginBps
 *
 * With only perps these are the perps rules (E · maxLeverage ≥ N; E · 10,000 ≥ N · mm); with only lending the
 * lending rules (B ≥ D; C ≥ D). Every op that can worsen an account checks `meetsInitial` at its position (a perp
 * fill that grows or flips a position, a margin withdrawal, a borrow, a lending withdrawal); an account with a
 * position or a debt is liquidatable exactly when `meetsMaintenance` fails, by either module's liquidation.
 *
 * The terms net only when they are in one token: the perps' collateral token is the lending pool's quote token
 * (`nets`). Otherwise each module keeps its own inequality (the other's terms count 0).
 *
 * AMM pool shares count wherever the lending terms count (a pool whose two tokens are lendable and priced): a lending
 * liquidation reaches them by redeeming them into supplies first (poolShares.ts).
 */
export type MarginAccount = {
  equity: bigint
  notional: bigint
  positions: number
  /** C: supplies and pool shares at their liquidation thresholds, × 10,000 */
  collateral: bigint
  /** B: supplies and pool shares at their loan-to-value, × 10,000 */
  borrowPower: bigint
  debt: bigint
  /** the part of C from supplies alone (× 10,000), for display */
  supplyCollateral: bigint
  /** the pool shares' fair value (quote units, before the haircut) and their part of C (× 10,000) */
  poolValue: bigint
  poolCollateral: bigint
  hasDebt: boolean
  /** a debt in a token without a price (cannot happen once a price exists): the account is never healthy */
  unpricedDebt: boolean
}

/** What the account needs of the channel state (ChannelState provides it): the lending host has both modules. */
export type MarginHost = LendingHost

/** Whether perps and lending net in one account: both present and the margin token is the lending quote token. */
export function nets(host: { perps: PerpsState | undefined; lending: LendingState | undefined }): boolean {
  return (
    host.perps !== undefined &&
    host.lending !== undefined &&
    host.perps.params.collateralToken === host.lending.params.quoteToken
  )
}

/**
 * Participant p's account as module `from` checks it: with netting both modules' terms, else only `from`'s.
 * `change` replaces one perp position and moves the margin (a trial fill); `prices` reuses the lending prices.
 */
export function marginAccount(
  host: MarginHost,
  p: number,
  from: 'perps' | 'lending',
  change?: Change,
  prices?: (Price | undefined)[],
): MarginAccount {
  const both = nets(host)
  const ps = host.perps
  const perp =
    ps && (both || from === 'perps') ? perpAccount(ps, p, change) : { equity: 0n, notional: 0n, positions: 0 }
  const ls = host.lending
  const t =
    ls && (both || from === 'lending') ? lendingTerms(ls, host, p, prices ?? ls.prices(host)) : NO_TERMS
  return {
    equity: perp.equity,
    notional: perp.notional,
    positions: perp.positions,
    collateral: t.collateral,
    borrowPower: t.borrowPower,
    debt: t.debt,
    supplyCollateral: t.supplyCollateral,
    poolValue: t.poolValue,
    poolCollateral: t.poolCollateral,
    hasDebt: t.hasDebt,
    unpricedDebt: t.unpriced,
  }
}

export function meetsInitial(a: MarginAccount, maxLeverage: bigint): boolean {
  if (a.unpricedDebt) return false
  return (a.equity * 10_000n + a.borrowPower - a.debt) * maxLeverage >= a.notional * 10_000n
}

export function meetsMaintenance(a: MarginAccount, maintenanceMarginBps: bigint): boolean {
  if (a.unpricedDebt) return false
  return a.equity * 10_000n + a.collateral - a.debt >= a.notional * maintenanceMarginBps
}

/** Liquidatable exactly when the account holds a position or a debt and fails the maintenance inequality. */
export function isLiquidatable(a: MarginAccount, maintenanceMarginBps: bigint): boolean {
  return (a.positions > 0 || a.hasDebt) && !meetsMaintenance(a, maintenanceMarginBps)
}

/** The channel's leverage cap and maintenance margin (0 without perps: no notional to cover). */
export function marginParams(host: MarginHost): { maxLeverage: bigint; mm: bigint } {
  return {
    maxLeverage: BigInt(host.channel.config.params.maxLeverage),
    mm: host.perps ? host.perps.params.maintenanceMarginBps : 0n,
  }
}

/** The account's net value at maintenance, × 10,000 (E · 10,000 + C − D): for display. */
export function netValue(a: MarginAccount): bigint {
  return a.equity * 10_000n + a.collateral - a.debt
}
