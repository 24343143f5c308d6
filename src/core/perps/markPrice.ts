import type { OrderBook } from '../book.ts'

/**
 * The mark price of a perp market, in ticks: the median of (last oracle price, book mid, last trade price) — the
 * manipulation-resistant rule of Hyperliquid and dYdX: moving the mark needs two of the three. Integers only:
 * mid = ⌊(best bid + best ask) / 2⌋. A component that does not exist (an empty book side, no trade yet) is
 * replaced by the oracle price, so with one component missing the mark is the median of (oracle, oracle, x) =
 * the oracle price. Without an oracle price there is no mark and the market does not trade.
 */
export function median3(a: bigint, b: bigint, c: bigint): bigint {
  if (a > b) [a, b] = [b, a]
  if (b > c) b = c
  return a > b ? a : b
}

export function bookMid(book: OrderBook): bigint | undefined {
  const bid = book.bids[0]
  const ask = book.asks[0]
  if (!bid || !ask) return undefined
  return (bid.price + ask.price) / 2n
}

export function markPrice(
  oracle: bigint | undefined,
  book: OrderBook,
  lastTrade: bigint | undefined,
): bigint | undefined {
  if (oracle === undefined) return undefined
  return median3(oracle, bookMid(book) ?? oracle, lastTrade ?? oracle)
}
