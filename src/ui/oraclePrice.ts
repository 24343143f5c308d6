import type { Market } from '../core/channel.ts'
import { checkOp } from '../core/opCheck.ts'
import { OpTag } from '../core/ops.ts'
import { AmountError, formatPrice, parsePrice, type TokenInfo } from './format.ts'

/**
 * An index price typed into an oracle panel (perps or spot), as the ticks an OraclePrice op carries, or what is
 * wrong with it in the market's units — a price past what the block codec encodes said as the order form says it
 * ("at most … USDC"), not in raw ticks. Empty input: neither.
 */
export function oracleTicks(
  typed: string,
  index: number,
  market: Market,
  base: TokenInfo,
  quote: TokenInfo,
): { ticks?: bigint; error?: string } {
  if (typed.trim() === '') return {}
  let ticks: bigint
  try {
    ticks = parsePrice(typed, market, base, quote)
  } catch (e) {
    return { error: e instanceof AmountError ? e.message : String(e) }
  }
  const check = checkOp({ tag: OpTag.OraclePrice, market: index, price: ticks })
  if (check.ok) return { ticks }
  return {
    error:
      check.field === 'price' && check.max !== undefined
        ? `price out of range: at most ${formatPrice(check.max, market, base, quote)} ${quote.symbol}`
        : check.message,
  }
}
