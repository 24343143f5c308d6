import type { LendingParams, LendingToken } from '../../core/lending/params.ts'

/** The create form's lending pool: on or off, and which participant posts spot prices. */
export type LendingFields = { enabled: boolean; oracle: number }

export const DEFAULT_LENDING_FIELDS: LendingFields = { enabled: false, oracle: 0 }

/** Rates and limits of a new channel's pool (Aave-like defaults for a stable quote and a volatile base). */
const QUOTE_RESERVE: Omit<LendingToken, 'token'> = {
  ltvBps: 8_000n,
  liquidationThresholdBps: 8_500n,
  baseRateBps: 0n,
  slope1Bps: 400n,
  slope2Bps: 6_000n,
  kinkBps: 8_000n,
  reserveFactorBps: 1_000n,
}
const BASE_RESERVE: Omit<LendingToken, 'token'> = {
  ltvBps: 7_500n,
  liquidationThresholdBps: 8_000n,
  baseRateBps: 100n,
  slope1Bps: 700n,
  slope2Bps: 30_000n,
  kinkBps: 8_000n,
  reserveFactorBps: 1_000n,
}

/**
 * The lending params of a channel whose market 0 trades `base` against `quote`: both tokens lendable, values in the
 * quote token, the base priced by market 0's mark; interest per minute of the channel clock; a 5 % liquidation bonus,
 * liquidation by the Liquidator role. Undefined when the pool is off.
 */
export function lendingParamsOf(f: LendingFields, base: number, quote: number): LendingParams | undefined {
  if (!f.enabled) return undefined
  return {
    quoteToken: quote,
    oracle: f.oracle,
    accrualIntervalMs: 60_000n,
    liquidationBonusBps: 500n,
    openLiquidation: false,
    tokens: [
      { token: quote, ...QUOTE_RESERVE },
      { token: base, market: 0, ...BASE_RESERVE },
    ],
  }
}
