import type { LendingToken } from './params.ts'
import { BPS, borrowRateBps, utilizationBps, YEAR_MS } from './rates.ts'

/**
 * One token's pool: the cash it holds, the supply shares and scaled debt outstanding, the borrow index and the
 * reserve, all integers. Fixed point: indexes carry SCALE = 10^18.
 *
 * - A debt is stored scaled: debt = ⌈scaled · borrowIndex / SCALE⌉ (rounded up: the pool is owed the larger value).
 *   Borrowing a adds ⌈a · SCALE / borrowIndex⌉ scaled units; repaying a < debt removes ⌊a · SCALE / borrowIndex⌋.
 * - Interest: per whole accrual interval elapsed, borrowIndex grows by ⌈borrowIndex · rate · k · interval / (10,000 ·
 *   year)⌉ (simple interest over the gap since the last lending op, at the rate the utilization then implied — the
 *   rate only changes at lending ops, which accrue first).
 * - A supply is stored as shares: claim = ⌊shares · supplyIndex / SCALE⌋ (rounded down). The supply index is the
 *   exchange rate of Compound's cTokens: supplyIndex = ⌊max(0, cash + ⌊Σscaled · borrowIndex / SCALE⌋ − reserve) ·
 *   SCALE / Σshares⌋. Supplying a mints ⌊a · SCALE / supplyIndex⌋ shares; withdrawing a < claim burns ⌈a · SCALE /
 *   supplyIndex⌉.
 * Every rounding is in the pool's favour, so Σ claims + reserve ≤ cash + Σ debts at every position (the remainder,
 * ≥ 0, is paid with the reserve to the fee recipient at settlement), and the supply index never falls except when
 * bad debt is written off (explicitly, reserve first).
 */
export const SCALE = 10n ** 18n

export type Pool = {
  cash: bigint
  totalShares: bigint
  totalScaled: bigint
  borrowIndex: bigint
  reserve: bigint
  /** debt written off so far (liquidations that left debt with no collateral) */
  badDebt: bigint
  /** the last accrual epoch; undefined until the first lending op */
  epoch: bigint | undefined
}

export const emptyPool = (): Pool => ({
  cash: 0n,
  totalShares: 0n,
  totalScaled: 0n,
  borrowIndex: SCALE,
  reserve: 0n,
  badDebt: 0n,
  epoch: undefined,
})

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

/** Σ debts as the pool counts them for its assets (rounded down, so it never overstates them). */
export function totalDebt(p: Pool): bigint {
  return (p.totalScaled * p.borrowIndex) / SCALE
}

export function supplyIndex(p: Pool): bigint {
  if (p.totalShares === 0n) return SCALE
  const assets = p.cash + totalDebt(p) - p.reserve
  return assets <= 0n ? 0n : (assets * SCALE) / p.totalShares
}

export const claimOf = (shares: bigint, index: bigint) => (shares * index) / SCALE
export const debtOf = (scaled: bigint, p: Pool) => ceilDiv(scaled * p.borrowIndex, SCALE)
export const sharesFor = (amount: bigint, index: bigint) => (amount * SCALE) / index
export const sharesToBurn = (amount: bigint, index: bigint) => ceilDiv(amount * SCALE, index)
export const scaledFor = (amount: bigint, p: Pool) => ceilDiv(amount * SCALE, p.borrowIndex)
export const scaledRepaid = (amount: bigint, p: Pool) => (amount * SCALE) / p.borrowIndex

export function utilization(p: Pool): bigint {
  return utilizationBps(p.cash, totalDebt(p))
}

/**
 * Accrues interest up to `epoch` (in place): the first call only starts the clock. Returns the interest added to
 * the debts (as the pool counts them); its reserve-factor share goes to the reserve.
 */
export function accrue(p: Pool, epoch: bigint, intervalMs: bigint, k: LendingToken): bigint {
  if (p.epoch === undefined || epoch < p.epoch) {
    if (p.epoch === undefined) p.epoch = epoch
    return 0n
  }
  const gap = epoch - p.epoch
  p.epoch = epoch
  if (gap === 0n || p.totalScaled === 0n) return 0n
  const before = totalDebt(p)
  const rate = borrowRateBps(utilizationBps(p.cash, before), k)
  p.borrowIndex += ceilDiv(p.borrowIndex * rate * gap * intervalMs, BPS * YEAR_MS)
  const interest = totalDebt(p) - before
  p.reserve += (interest * k.reserveFactorBps) / BPS
  return interest
}
