import type { AmmState } from './engine.ts'

/**
 * What every pool share is worth at settlement, per (participant, token) at index p · T + t: each holder redeems
 * ⌊shares · reserve / totalShares⌋ of both reserves, as a removal would pay; what that leaves of each reserve (the
 * locked MINIMUM_LIQUIDITY shares' part and the rounding) goes to the channel's fee recipient. So every reserve is
 * paid out exactly, each value is ≥ 0, and the checkpoint's exit leaves stay plain (account, token, amount).
 */
export function ammValuation(amm: AmmState): bigint[] {
  const values = new Array<bigint>(amm.P * amm.T).fill(0n)
  amm.pools.forEach((pool, m) => {
    const tk = amm.tokens[m]
    if (!pool || !tk || pool.totalShares === 0n) return
    const S = pool.totalShares
    let restBase = pool.reserveBase
    let restQuote = pool.reserveQuote
    for (let p = 0; p < amm.P; p++) {
      const sh = pool.shares[p]!
      if (sh === 0n) continue
      const b = (sh * pool.reserveBase) / S
      const q = (sh * pool.reserveQuote) / S
      values[p * amm.T + tk.base]! += b
      values[p * amm.T + tk.quote]! += q
      restBase -= b
      restQuote -= q
    }
    values[amm.feeRecipient * amm.T + tk.base]! += restBase
    values[amm.feeRecipient * amm.T + tk.quote]! += restQuote
  })
  return values
}
