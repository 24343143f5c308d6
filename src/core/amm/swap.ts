import { Side } from '../ops.ts'
import { swapOutput } from './math.ts'
import type { Pool } from './pool.ts'

/** An exact-in swap's output and the reserves after it. Buy pays quote for base, Sell pays base for quote. */
export type SwapQuote = { out: bigint; reserveBase: bigint; reserveQuote: bigint }

/**
 * Quotes swapping exactly `amountIn` at the pool's current fee. The whole input enters the reserves (the fee with
 * it, so fees accrue to the liquidity providers); the output is rounded down, so x·y never decreases.
 */
export function quoteSwap(pool: Pool, side: Side, amountIn: bigint): SwapQuote {
  if (side === Side.Buy) {
    const out = swapOutput(amountIn, pool.reserveQuote, pool.reserveBase, pool.feeBps)
    return { out, reserveBase: pool.reserveBase - out, reserveQuote: pool.reserveQuote + amountIn }
  }
  const out = swapOutput(amountIn, pool.reserveBase, pool.reserveQuote, pool.feeBps)
  return { out, reserveBase: pool.reserveBase + amountIn, reserveQuote: pool.reserveQuote - out }
}
