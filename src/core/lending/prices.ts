import type { OrderBook } from '../book.ts'
import type { PerpsState } from '../perps/engine.ts'
import { markPrice } from '../perps/markPrice.ts'
import type { LendingToken } from './params.ts'

/**
 * A token's price in quote units per base unit, as a fraction: value(amount) = amount · num / den. The quote token is
 * 1/1; another token is priced by its market's mark in ticks: num = mark · tickSize, den = lotSize. A spot market's
 * mark is median(oracle, ⌊book mid⌋, last trade) like a perp's (perps/markPrice.ts), a perp market's is the perps
 * mark; without an oracle price there is none and the token is unpriced (worth 0 as collateral, not borrowable).
 */
export type Price = { num: bigint; den: bigint }

export type PriceSources = {
  books: readonly OrderBook[]
  markets: readonly { tickSize: bigint; lotSize: bigint; kind?: 'spot' | 'perp' }[]
  /** oracle prices of spot markets (ticks), posted by the lending oracle */
  spotOracle: readonly (bigint | undefined)[]
  /** last trade price of spot markets (ticks) */
  spotLastTrade: readonly (bigint | undefined)[]
  perps: PerpsState | undefined
}

export function priceOf(k: LendingToken, s: PriceSources): Price | undefined {
  if (k.market === undefined) return { num: 1n, den: 1n }
  const m = s.markets[k.market]!
  const mark =
    m.kind === 'perp'
      ? s.perps?.mark(k.market)
      : markPrice(s.spotOracle[k.market], s.books[k.market]!, s.spotLastTrade[k.market])
  if (mark === undefined || mark === 0n) return undefined
  return { num: mark * m.tickSize, den: m.lotSize }
}

/** Value rounded down (what collateral is worth). */
export const valueDown = (amount: bigint, p: Price) => (amount * p.num) / p.den
/** Value rounded up (what a debt costs). */
export const valueUp = (amount: bigint, p: Price) => (amount * p.num + p.den - 1n) / p.den
