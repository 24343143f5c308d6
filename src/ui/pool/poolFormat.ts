import { type AmmAddOp, type Op, OpTag, Side } from '../../core/ops.ts'
import { AmountError, formatUnits, parseUnits, type TokenInfo } from '../format.ts'

/** bps as a percentage with two decimals: 30n → "0.30 %". */
export function pct(bps: bigint): string {
  return `${formatUnits(bps, 2, 2)} %`
}

/** A percentage typed by the user ("0.5") as bps (50), refused outside [0, max] % or with more than 2 decimals. */
export function parsePercentBps(text: string, maxPercent: number): bigint {
  const bps = parseUnits(text, 2)
  if (bps > BigInt(maxPercent) * 100n) throw new AmountError(`at most ${maxPercent} %`)
  return bps
}

/** The pool's price: quote per whole base token, in quote units (⌊Y · 10^baseDecimals / X⌋). */
export function poolPrice(reserveBase: bigint, reserveQuote: bigint, base: TokenInfo): bigint | undefined {
  if (reserveBase === 0n) return undefined
  return (reserveQuote * 10n ** BigInt(base.decimals)) / reserveBase
}

/** An amount in a token, readable: at most 6 decimals, with its symbol. */
export function amountText(value: bigint, t: TokenInfo): string {
  return `${formatUnits(value, t.decimals, 6)} ${t.symbol}`
}

/** The quote amount matching `base` at the pool ratio, rounded up as the fold takes it (⌈base · Y / X⌉). */
export function quoteAtRatio(base: bigint, reserveBase: bigint, reserveQuote: bigint): bigint {
  if (reserveBase === 0n) return 0n
  return (base * reserveQuote + reserveBase - 1n) / reserveBase
}

/** The deadline of a swap sent now: `seconds` after the later of the channel clock and this machine's clock. */
export function deadlineOf(clock: bigint, nowMs: number, seconds: bigint): bigint {
  const now = BigInt(Math.trunc(nowMs))
  return (clock > now ? clock : now) + seconds * 1000n
}

/** Short words for an AMM op (the activity feed and the Pool screen). */
export function ammOpText(op: Op, symbols: { base: TokenInfo; quote: TokenInfo } | undefined): string {
  const t = (v: bigint, k: TokenInfo | undefined) => (k ? amountText(v, k) : v.toString())
  switch (op.tag) {
    case OpTag.AmmAdd:
      return `add liquidity ${t((op as AmmAddOp).baseMax, symbols?.base)} + ${t(op.quoteMax, symbols?.quote)}`
    case OpTag.AmmRemove:
      return `remove ${op.shares} pool shares`
    case OpTag.AmmSwap:
      return op.side === Side.Buy
        ? `swap ${t(op.amountIn, symbols?.quote)} for ${symbols?.base.symbol ?? 'base'}`
        : `swap ${t(op.amountIn, symbols?.base)} for ${symbols?.quote.symbol ?? 'quote'}`
    case OpTag.AmmVote:
      return `fee vote ${pct(BigInt(op.voteBps))}`
    case OpTag.AmmShareTransfer:
      return `transfer of ${op.shares} pool shares`
    default:
      return 'operation'
  }
}
