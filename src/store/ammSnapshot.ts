import { FEE_TIERS_BPS } from '../core/amm/fees.ts'
import type { Pool } from '../core/amm/pool.ts'
import { voteDistribution } from '../core/amm/views.ts'
import type { Replica } from '../core/replica.ts'
import type { ChannelState } from '../core/state.ts'
import { type BookDepth, bookDepth } from '../core/views.ts'

/** One pool as the Pool screen shows it, for one participant. */
export type PoolView = {
  market: number
  /** token indexes of the market's base and quote */
  base: number
  quote: number
  reserveBase: bigint
  reserveQuote: bigint
  totalShares: bigint
  feeBps: bigint
  myShares: bigint
  /** this participant's vote (bps), undefined without shares */
  myVoteBps: bigint | undefined
  /** what this participant's shares redeem for now (⌊shares · reserve / total⌋, as a removal pays) */
  myBase: bigint
  myQuote: bigint
  /** shares, share of the votes (bps) and number of voters per tier, lowest first */
  votes: { tierBps: bigint; shares: bigint; weightBps: bigint; voters: number }[]
  /** the pool itself, for the previews (core/amm/views.ts) */
  pool: Pool
}

/**
 * What the Pool screen shows, from one moment of the replica: the pending view (every op applied, what the screen
 * acts on) beside the final one (the committed prefix, what can no longer change).
 */
export type AmmSnapshot = {
  me: number
  /** the channel clock at the last commit (ms): what a local op is applied with (swap deadlines) */
  clock: bigint
  pools: PoolView[]
  finalPools: PoolView[]
  /** available ledger balance per token (what an add or a swap can spend), pending and final */
  available: bigint[]
  finalAvailable: bigint[]
  /** the book of each pool's market (the venue comparison), by market index */
  depth: Record<number, BookDepth>
}

function poolsOf(state: ChannelState, me: number): PoolView[] {
  const amm = state.amm!
  const out: PoolView[] = []
  amm.pools.forEach((pool, market) => {
    const tk = amm.tokens[market]
    if (!pool || !tk) return
    const myShares = pool.shares[me] ?? 0n
    const vote = pool.votes[me] ?? -1
    const S = pool.totalShares
    out.push({
      market,
      base: tk.base,
      quote: tk.quote,
      reserveBase: pool.reserveBase,
      reserveQuote: pool.reserveQuote,
      totalShares: S,
      feeBps: pool.feeBps,
      myShares,
      myVoteBps: vote >= 0 ? FEE_TIERS_BPS[vote] : undefined,
      myBase: S === 0n ? 0n : (myShares * pool.reserveBase) / S,
      myQuote: S === 0n ? 0n : (myShares * pool.reserveQuote) / S,
      votes: voteDistribution(pool),
      pool,
    })
  })
  return out
}

const availableOf = (s: ChannelState, me: number) => s.avail.slice(me * s.T, (me + 1) * s.T)

/** The AMM snapshot for participant `me`; undefined in a channel without `params.amm`. */
export function takeAmmSnapshot(replica: Replica, me: number, depthLevels = 20): AmmSnapshot | undefined {
  const state = replica.state
  if (!state.amm) return undefined
  const final = replica.finalState()
  const pools = poolsOf(state, me)
  const depth: Record<number, BookDepth> = {}
  for (const p of pools) depth[p.market] = bookDepth(state, p.market, depthLevels, me)
  return {
    me,
    clock: replica.clock,
    pools,
    finalPools: poolsOf(final, me),
    available: availableOf(state, me),
    finalAvailable: availableOf(final, me),
    depth,
  }
}
