import type { ChannelConfig } from '../channel.ts'

/**
 * One token of the lending pool ("reserve" in Aave's words): how it is priced, how much of a supply counts as
 * collateral, and its interest curve. Rates are in bps per year of the channel clock (365 days).
 */
export type LendingToken = {
  /** channel token index */
  token: number
  /**
   * The market whose mark prices this token in the quote token: base = token, quote = `quoteToken` (spot: mark =
   * median(oracle, book mid, last trade); perp: the perps mark). Absent exactly for the quote token (price 1).
   */
  market?: number
  /** loan-to-value: borrowing and withdrawing stop where debt reaches this share of the collateral value */
  ltvBps: bigint
  /** liquidation threshold: below it (health < 1) the account may be liquidated; ltvBps ≤ it < 10,000 */
  liquidationThresholdBps: bigint
  /** the kinked rate curve (Aave / Compound's jump-rate model), bps per year */
  baseRateBps: bigint
  slope1Bps: bigint
  slope2Bps: bigint
  /** utilization where slope2 starts, in (0, 10,000) bps */
  kinkBps: bigint
  /** share of borrowers' interest kept as the pool's reserve (paid to the fee recipient at settlement) */
  reserveFactorBps: bigint
}

/** Lending-pool parameters (not part of the channelId, like the markets and the perps). */
export type LendingParams = {
  /** the token every value is expressed in (price 1) */
  quoteToken: number
  /** participant index allowed to post OraclePrice ops for spot markets */
  oracle: number
  /** interest accrues per whole interval of the channel clock (ms) */
  accrualIntervalMs: bigint
  /** a liquidator seizes collateral worth the debt it repays · (10,000 + bonus) / 10,000 */
  liquidationBonusBps: bigint
  /** true: any participant may liquidate; false: only the Liquidator role */
  openLiquidation: boolean
  tokens: LendingToken[]
}

export const MAX_RATE_BPS = 1_000_000n
const U64_LIMIT = 1n << 64n
const isIndex = (i: unknown, n: number) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < n

/**
 * Checks `params.lending`; returns the offending field and why, or undefined when it is valid (or absent). The
 * fold relies on every bound checked here.
 */
export function lendingConfigError(
  config: Pick<ChannelConfig, 'markets' | 'params' | 'tokens'> & { participants: unknown[] },
): { field: string; message: string } | undefined {
  const lp = config.params.lending
  if (lp === undefined) return undefined
  const bad = (field: string, message: string) => ({ field: `params.lending.${field}`, message })
  const T = config.tokens.length
  if (!isIndex(lp.quoteToken, T)) return bad('quoteToken', 'not a channel token')
  if (!isIndex(lp.oracle, config.participants.length)) return bad('oracle', 'not a participant index')
  if (
    typeof lp.accrualIntervalMs !== 'bigint' ||
    lp.accrualIntervalMs <= 0n ||
    lp.accrualIntervalMs >= U64_LIMIT
  )
    return bad('accrualIntervalMs', 'must be in [1, 2^64)')
  if (lp.liquidationBonusBps < 0n || lp.liquidationBonusBps > 5_000n)
    return bad('liquidationBonusBps', 'must be in [0, 5,000]')
  if (typeof lp.openLiquidation !== 'boolean') return bad('openLiquidation', 'must be a boolean')
  if (!Array.isArray(lp.tokens) || lp.tokens.length === 0 || lp.tokens.length > T)
    return bad('tokens', 'one entry per lendable token, at least one')
  const seen = new Set<number>()
  for (const [i, k] of lp.tokens.entries()) {
    const f = (x: string) => `tokens[${i}].${x}`
    if (!isIndex(k.token, T)) return bad(f('token'), 'not a channel token')
    if (seen.has(k.token)) return bad(f('token'), 'duplicate token')
    seen.add(k.token)
    if (k.token === lp.quoteToken) {
      if (k.market !== undefined) return bad(f('market'), 'the quote token has price 1 and no market')
    } else {
      const m = k.market === undefined ? undefined : config.markets[k.market]
      if (!m) return bad(f('market'), 'a market pricing the token is required')
      if (m.base !== k.token || m.quote !== lp.quoteToken)
        return bad(f('market'), 'must have the token as base and the quote token as quote')
      if (m.tickSize >= U64_LIMIT || m.lotSize >= U64_LIMIT)
        return bad(f('market'), 'tick and lot must be < 2^64')
    }
    if (k.ltvBps < 0n || k.ltvBps > k.liquidationThresholdBps)
      return bad(f('ltvBps'), 'must be in [0, threshold]')
    // liquidating must improve health: threshold · (1 + bonus) < 1
    if (k.liquidationThresholdBps * (10_000n + lp.liquidationBonusBps) >= 100_000_000n)
      return bad(f('liquidationThresholdBps'), 'threshold · (1 + bonus) must stay below 1')
    for (const r of ['baseRateBps', 'slope1Bps', 'slope2Bps'] as const)
      if (k[r] < 0n || k[r] > MAX_RATE_BPS) return bad(f(r), `must be in [0, ${MAX_RATE_BPS}]`)
    if (k.kinkBps <= 0n || k.kinkBps >= 10_000n) return bad(f('kinkBps'), 'must be in (0, 10,000)')
    if (k.reserveFactorBps < 0n || k.reserveFactorBps > 10_000n)
      return bad(f('reserveFactorBps'), 'out of range')
  }
  return undefined
}
