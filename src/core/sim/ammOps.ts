import type { AmmParams } from '../channel.ts'
import { type Op, OpTag, Side } from '../ops.ts'
import type { Rng } from './rng.ts'

/** The simulated AMM: a pool on every spot market (market 0 in the simulator), 0.3 % until the LPs vote. */
export const SIM_AMM_PARAMS: AmmParams = { defaultFeeBps: 30n }
const TIERS = [1, 5, 30, 100]

/**
 * A random AMM op for `author` on market 0 (integers only): liquidity added with a vote (sometimes at a tier that
 * does not exist, refused), removed in part, swaps both ways with and without a minimum output or a deadline in
 * channel time, votes, and share transfers to a random participant. Amounts fit the simulator's deposits.
 */
export function randomAmmOp(rng: Rng, author: number, participants: number, clock: bigint): Op {
  const market = 0
  const x = rng.int(0, 100)
  const vote = rng.int(0, 20) === 0 ? 7 : TIERS[rng.int(0, TIERS.length)]!
  if (x < 20)
    return {
      tag: OpTag.AmmAdd,
      market,
      baseMax: BigInt(rng.int(2_000, 200_000)),
      quoteMax: BigInt(rng.int(2_000, 200_000)),
      minShares: 0n,
      voteBps: vote,
    }
  if (x < 30)
    return { tag: OpTag.AmmRemove, market, shares: BigInt(rng.int(1, 20_000)), minBase: 0n, minQuote: 0n }
  if (x < 85) {
    const deadline = rng.int(0, 3) === 0 ? clock + BigInt(rng.int(0, 2_000)) : (1n << 64n) - 1n
    return {
      tag: OpTag.AmmSwap,
      market,
      side: rng.int(0, 2) === 0 ? Side.Buy : Side.Sell,
      amountIn: BigInt(rng.int(1, 20_000)),
      minOut: rng.int(0, 4) === 0 ? BigInt(rng.int(0, 20_000)) : 0n,
      deadline,
    }
  }
  if (x < 95) return { tag: OpTag.AmmVote, market, voteBps: vote }
  const to = rng.int(0, participants)
  return {
    tag: OpTag.AmmShareTransfer,
    market,
    to: to === author ? (to + 1) % participants : to,
    shares: BigInt(rng.int(1, 5_000)),
  }
}
