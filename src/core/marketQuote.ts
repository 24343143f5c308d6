import { Side } from './ops.ts'
import type { DepthLevel } from './views.ts'

/**
 * Pre-trade summary of a market order against the book depth (views.ts bookDepth): what it would fill, at what
 * average price, how far that is from the best price, and the taker fee. The viewer's own resting quantity is left
 * out (self-trade prevention cancels it instead of filling). The fee is computed per level, so it can exceed the
 * fold's per-order rounding by a few base units; everything else is exact for the depth given.
 */
export type MarketQuote = {
  /** lots that would fill at or within `limit` */
  filled: bigint
  /** lots left over (cancelled: market orders are IOC) */
  unfilled: bigint
  /** quote units exchanged before fees: Σ lots · price · tickSize */
  notional: bigint
  /** taker fee in quote units */
  fee: bigint
  /** what a buyer pays (notional + fee) or a seller receives (notional − fee), in quote units */
  total: bigint
  /** best opposite price (ticks), undefined on an empty side */
  best: bigint | undefined
  /** price of the last level touched (ticks) */
  worst: bigint | undefined
  /** average price in quote units per whole base token (10^baseDecimals base units), truncated */
  averagePerBase: bigint | undefined
  /** average price's distance from the best price in hundredths of a basis point (rounded up), never negative */
  slippageCentiBps: bigint
}

export type MarketQuoteParameters = {
  side: Side
  /** the order's size in lots */
  qty: bigint
  /** the opposite side of the book, best first (asks for a buy, bids for a sell) */
  levels: readonly DepthLevel[]
  /** protection price (ticks): a buy fills no level above it, a sell none below; none when undefined */
  limit?: bigint
  takerFeeBps: bigint
  tickSize: bigint
  lotSize: bigint
  baseDecimals: number
}

export function quoteMarketOrder(p: MarketQuoteParameters): MarketQuote {
  const isBuy = p.side === Side.Buy
  let left = p.qty > 0n ? p.qty : 0n
  let notional = 0n
  let fee = 0n
  let worst: bigint | undefined
  for (const level of p.levels) {
    if (left === 0n) break
    const free = level.qty - level.own
    if (free <= 0n) continue
    if (p.limit !== undefined && (isBuy ? level.price > p.limit : level.price < p.limit)) break
    const take = free < left ? free : left
    const quote = take * level.price * p.tickSize
    notional += quote
    fee += (quote * p.takerFeeBps) / 10_000n
    worst = level.price
    left -= take
  }
  // the best price a trader sees is the book's best, own orders aside
  const top = p.levels.find((l) => l.qty - l.own > 0n)?.price
  const best = top
  const filled = (p.qty > 0n ? p.qty : 0n) - left
  let averagePerBase: bigint | undefined
  let slippageCentiBps = 0n
  if (filled > 0n && best !== undefined) {
    averagePerBase = (notional * 10n ** BigInt(p.baseDecimals)) / (filled * p.lotSize)
    const atBest = filled * best * p.tickSize
    const diff = notional > atBest ? notional - atBest : atBest - notional
    // hundredths of a basis point, rounded up so a worse price is never shown as 0
    slippageCentiBps = (diff * 1_000_000n + atBest - 1n) / atBest
  }
  return {
    filled,
    unfilled: left,
    notional,
    fee,
    total: isBuy ? notional + fee : notional - fee,
    best,
    worst,
    averagePerBase,
    slippageCentiBps,
  }
}
