import type { Price } from '../../core/lending/prices.ts'
import { formatUnits, type TokenInfo } from '../format.ts'

/** Basis points as a percentage with two decimals: 1234n → "12.34%". */
export function bpsText(bps: bigint): string {
  const neg = bps < 0n
  const v = neg ? -bps : bps
  return `${neg ? '-' : ''}${v / 100n}.${(v % 100n).toString().padStart(2, '0')}%`
}

/** A health factor in bps as a ratio: 10,625n → "1.06"; "—" without debt. */
export function healthText(bps: bigint | undefined): string {
  if (bps === undefined) return '—'
  return `${bps / 10_000n}.${((bps % 10_000n) / 100n).toString().padStart(2, '0')}`
}

/** Health below this (bps) is shown with a warning: liquidation comes at 10,000. */
export const HEALTH_WARNING_BPS = 11_000n

/** A token's price in the quote token, per whole token, or "no price". */
export function priceText(price: Price | undefined, token: TokenInfo, quote: TokenInfo): string {
  if (!price) return 'no price'
  return formatUnits((price.num * 10n ** BigInt(token.decimals)) / price.den, quote.decimals, 6)
}
