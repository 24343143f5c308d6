import type { Market } from '../channel.ts'
import { Side } from '../ops.ts'
import { Reject } from '../reasons.ts'
import type { DepthLevel } from '../views.ts'
import { FEE_TIERS_BPS } from './fees.ts'
import { quoteAdd, quoteRemove } from './liquidity.ts'
import { BPS } from './math.ts'
import type { Pool } from './pool.ts'
import { quoteSwap } from './swap.ts'

/**
 * What the Pool screen shows before an op is sent, from the same functions the fold runs (so a preview is what the
 * op does at the current state; a concurrent op ordered before it can still change that — hence minimum outputs).
 */
export type SwapPreview = {
  /** the fold's verdict at the current state, before funds and deadline (None, PoolEmpty, ZeroAmount, ZeroOutput) */
  result: Reject
  out: bigint
  feeBps: bigint
  /** the part of the input kept by the pool as the fee, ⌊in · fee / 10⁴⌋ (informational) */
  fee: bigint
  /** the output less `slippageBps`, rounded down: what to send as minOut */
  minOut: bigint
  /** how far the size moves the price against the trader, bps rounded up: in′ · 10⁴ / (R_in · 10⁴ + in′), fee aside */
  impactBps: bigint
}

export function previewSwap(pool: Pool, side: Side, amountIn: bigint, slippageBps: bigint): SwapPreview {
  const feeBps = pool.feeBps
  const none = { out: 0n, feeBps, fee: 0n, minOut: 0n, impactBps: 0n }
  if (pool.totalShares === 0n) return { result: Reject.PoolEmpty, ...none }
  if (amountIn <= 0n) return { result: Reject.ZeroAmount, ...none }
  const q = quoteSwap(pool, side, amountIn)
  const reserveIn = side === Side.Buy ? pool.reserveQuote : pool.reserveBase
  const effective = amountIn * (BPS - feeBps)
  const denominator = reserveIn * BPS + effective
  return {
    result: q.out === 0n ? Reject.ZeroOutput : Reject.None,
    out: q.out,
    feeBps,
    fee: (amountIn * feeBps) / BPS,
    minOut: (q.out * (BPS - slippageBps)) / BPS,
    impactBps: (effective * BPS + denominator - 1n) / denominator,
  }
}

/** What an add would take and mint (`minted` 0: refused), and the share of the pool it would own (bps, down). */
export function previewAdd(pool: Pool, baseMax: bigint, quoteMax: bigint) {
  if (baseMax <= 0n || quoteMax <= 0n) return { base: 0n, quote: 0n, minted: 0n, shareBps: 0n }
  const q = quoteAdd(pool, baseMax, quoteMax)
  const total = pool.totalShares + (pool.totalShares === 0n ? 1000n : 0n) + q.minted
  return { ...q, shareBps: q.minted === 0n ? 0n : (q.minted * BPS) / total }
}

/** What removing `shares` would pay (0 on an empty pool or a share count above the supply). */
export function previewRemove(pool: Pool, shares: bigint): { base: bigint; quote: bigint } {
  if (shares <= 0n || shares > pool.totalShares) return { base: 0n, quote: 0n }
  return quoteRemove(pool, shares)
}

/** The shares voting for each tier and their share of all votes (bps, down), lowest tier first. */
export function voteDistribution(
  pool: Pool,
): { tierBps: bigint; shares: bigint; weightBps: bigint; voters: number }[] {
  let total = 0n
  for (const w of pool.tierWeight) total += w
  return FEE_TIERS_BPS.map((tierBps, k) => ({
    tierBps,
    shares: pool.tierWeight[k]!,
    weightBps: total === 0n ? 0n : (pool.tierWeight[k]! * BPS) / total,
    voters: pool.votes.filter((v) => v === k).length,
  }))
}

/**
 * What the same amount would get from the book as a market order, for the screen's venue comparison (no routing
 * in the fold: see CONTEXT.md). Sell: ⌊amountIn / lotSize⌋ lots into the bids, receiving notional − taker fee. Buy:
 * spends at most amountIn quote (taker fee included, rounded up per level) on the asks. The viewer's own resting
 * quantity is left out, as self-trade prevention would cancel it. Returns the output in base (Buy) or quote (Sell).
 */
export function bookOutput(
  side: Side,
  amountIn: bigint,
  levels: readonly DepthLevel[],
  market: Pick<Market, 'tickSize' | 'lotSize'>,
  takerFeeBps: bigint,
): bigint {
  let out = 0n
  if (side === Side.Sell) {
    let lots = amountIn / market.lotSize
    for (const l of levels) {
      if (lots === 0n) break
      const free = l.qty - l.own
      if (free <= 0n) continue
      const take = free < lots ? free : lots
      const quote = take * l.price * market.tickSize
      out += quote - (quote * takerFeeBps) / BPS
      lots -= take
    }
    return out
  }
  let budget = amountIn
  for (const l of levels) {
    const free = l.qty - l.own
    if (free <= 0n) continue
    const perLot = l.price * market.tickSize
    const cost = (n: bigint) => n * perLot + (n * perLot * takerFeeBps + BPS - 1n) / BPS
    let take = (budget * BPS) / (perLot * (BPS + takerFeeBps))
    if (take > free) take = free
    while (take > 0n && cost(take) > budget) take--
    if (take === 0n) break
    budget -= cost(take)
    out += take * market.lotSize
  }
  return out
}
