import type { LendingToken } from './params.ts'

/**
 * The kinked (jump-rate) interest curve of Aave and Compound, in integers. Utilization U = debt / (cash + debt) in
 * bps (⌊·⌋, 0 for an empty pool). The borrow rate, in bps per year:
 *   U ≤ kink:  base + ⌊slope1 · U / kink⌋
 *   U > kink:  base + slope1 + ⌊slope2 · (U − kink) / (10,000 − kink)⌋
 * Suppliers earn what borrowers pay minus the reserve factor: supply rate = borrow · U · (1 − reserve factor).
 */
export const BPS = 10_000n
export const YEAR_MS = 365n * 24n * 3600n * 1000n

export function utilizationBps(cash: bigint, debt: bigint): bigint {
  const total = cash + debt
  return total <= 0n || debt <= 0n ? 0n : (debt * BPS) / total
}

export function borrowRateBps(u: bigint, k: LendingToken): bigint {
  if (u <= k.kinkBps) return k.baseRateBps + (k.slope1Bps * u) / k.kinkBps
  return k.baseRateBps + k.slope1Bps + (k.slope2Bps * (u - k.kinkBps)) / (BPS - k.kinkBps)
}

/** What suppliers earn, bps per year (display only: the supply index follows the pool's assets exactly). */
export function supplyRateBps(u: bigint, k: LendingToken): bigint {
  return (borrowRateBps(u, k) * u * (BPS - k.reserveFactorBps)) / (BPS * BPS)
}
