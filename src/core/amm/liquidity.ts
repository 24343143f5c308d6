import { ceilDiv, isqrt } from './math.ts'
import { MINIMUM_LIQUIDITY, type Pool } from './pool.ts'

/** What an add takes and mints; `minted` is 0 when it would mint nothing (or not more than the locked minimum). */
export type AddQuote = { base: bigint; quote: bigint; minted: bigint }

/**
 * What adding at most (baseMax, quoteMax) takes and mints. The first deposit takes both and sets the price; it mints
 * ⌊√(base·quote)⌋ shares of which MINIMUM_LIQUIDITY are locked (minted 0 if that leaves none). Later deposits mint
 * min(⌊baseMax·S/X⌋, ⌊quoteMax·S/Y⌋) and take ⌈minted·X/S⌉, ⌈minted·Y/S⌉ (≤ the maxima): rounding favours the pool,
 * so a share is never worth less after an add.
 */
export function quoteAdd(pool: Pool, baseMax: bigint, quoteMax: bigint): AddQuote {
  const S = pool.totalShares
  if (S === 0n) {
    const root = isqrt(baseMax * quoteMax)
    return {
      base: baseMax,
      quote: quoteMax,
      minted: root > MINIMUM_LIQUIDITY ? root - MINIMUM_LIQUIDITY : 0n,
    }
  }
  const X = pool.reserveBase
  const Y = pool.reserveQuote
  const byBase = (baseMax * S) / X
  const byQuote = (quoteMax * S) / Y
  const minted = byBase < byQuote ? byBase : byQuote
  if (minted === 0n) return { base: 0n, quote: 0n, minted: 0n }
  return { base: ceilDiv(minted * X, S), quote: ceilDiv(minted * Y, S), minted }
}

/** What burning `shares` pays out: ⌊shares·X/S⌋ and ⌊shares·Y/S⌋ (rounding favours the pool). */
export function quoteRemove(pool: Pool, shares: bigint): { base: bigint; quote: bigint } {
  const S = pool.totalShares
  return { base: (shares * pool.reserveBase) / S, quote: (shares * pool.reserveQuote) / S }
}
