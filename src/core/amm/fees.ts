/**
 * The fee tiers a liquidity provider may vote for, in bps of the swap input (Uniswap v3's 1 / 5 / 30 / 100). Fixed:
 * a pool's fee is always one of them, and the per-tier weights of a pool are an array of this length.
 */
export const FEE_TIERS_BPS: readonly bigint[] = [1n, 5n, 30n, 100n]

/** The index of `bps` in FEE_TIERS_BPS, or −1 when it is no tier. */
export function feeTierIndex(bps: bigint | number): number {
  if (typeof bps === 'number' && !Number.isSafeInteger(bps)) return -1
  return FEE_TIERS_BPS.indexOf(BigInt(bps))
}

/**
 * The share-weighted median of the votes, given the shares voting for each tier: the lowest tier at which the votes
 * at or below it hold at least half of the voting shares (2 · W(≤ t) ≥ W). So the votes strictly below the fee hold
 * less than half and the votes at or above it at least half: an LP holding less than half of the shares cannot move
 * the fee past the other LPs' median, whatever it votes. No voting shares: `fallback` (the channel's default).
 */
export function medianFee(tierWeight: readonly bigint[], fallback: bigint): bigint {
  let total = 0n
  for (const w of tierWeight) total += w
  if (total === 0n) return fallback
  let cum = 0n
  for (let k = 0; k < tierWeight.length; k++) {
    cum += tierWeight[k]!
    if (2n * cum >= total) return FEE_TIERS_BPS[k]!
  }
  return FEE_TIERS_BPS[FEE_TIERS_BPS.length - 1]!
}
