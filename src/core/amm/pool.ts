import { FEE_TIERS_BPS, medianFee } from './fees.ts'

/**
 * One constant-product pool (the AMM of one spot market): reserves of the market's base and quote tokens, pool
 * shares per participant and each liquidity provider's fee vote. `totalShares` includes MINIMUM_LIQUIDITY shares
 * locked forever at the first deposit (owned by nobody, voting for nothing). A Pool is replaced, never mutated,
 * so a clone of the AMM state shares pools and a swap copies no per-participant array.
 *
 * Invariants: a participant has a vote (a tier index) exactly when it holds shares; tierWeight[k] = Σ shares of the
 * holders voting tier k = totalShares − MINIMUM_LIQUIDITY once the pool is open; feeBps = medianFee(tierWeight).
 */
export type Pool = {
  readonly reserveBase: bigint
  readonly reserveQuote: bigint
  readonly totalShares: bigint
  readonly shares: readonly bigint[]
  /** tier index into FEE_TIERS_BPS, −1 without shares */
  readonly votes: readonly number[]
  readonly tierWeight: readonly bigint[]
  readonly feeBps: bigint
}

/** Shares locked at the first deposit (Uniswap v2): the share price can never be inflated from a dust pool. */
export const MINIMUM_LIQUIDITY = 1000n

export function emptyPool(participants: number, defaultFeeBps: bigint): Pool {
  return {
    reserveBase: 0n,
    reserveQuote: 0n,
    totalShares: 0n,
    shares: new Array<bigint>(participants).fill(0n),
    votes: new Array<number>(participants).fill(-1),
    tierWeight: FEE_TIERS_BPS.map(() => 0n),
    feeBps: defaultFeeBps,
  }
}

/** A holder's new share balance and vote (ignored, and cleared, when the balance is 0). */
export type Holding = { p: number; shares: bigint; vote: number }

/**
 * The pool with the given holders' balances and votes replaced, tier weights moved with them and the fee
 * recomputed; `totalShares` and reserves as given in `rest`.
 */
export function withHoldings(
  pool: Pool,
  holdings: readonly Holding[],
  rest: Pick<Pool, 'reserveBase' | 'reserveQuote' | 'totalShares'>,
  defaultFeeBps: bigint,
): Pool {
  const shares = pool.shares.slice()
  const votes = pool.votes.slice()
  const tierWeight = pool.tierWeight.slice()
  for (const h of holdings) {
    const old = votes[h.p]!
    if (old >= 0) tierWeight[old]! -= shares[h.p]!
    const vote = h.shares > 0n ? h.vote : -1
    shares[h.p] = h.shares
    votes[h.p] = vote
    if (vote >= 0) tierWeight[vote]! += h.shares
  }
  return { ...rest, shares, votes, tierWeight, feeBps: medianFee(tierWeight, defaultFeeBps) }
}
