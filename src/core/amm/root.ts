import { uintToBytes } from '../bytes.ts'
import type { AmmState } from './engine.ts'

/**
 * The AMM's part of the state root, in a fixed order: per pool (market order) the reserves, the total shares and
 * every holder's (index, shares, vote) in participant order. Tier weights and the fee are functions of these.
 */
export function ammRootParts(amm: AmmState): Uint8Array[] {
  const parts: Uint8Array[] = [new Uint8Array([0x41, 0x7c])] // 'A|'
  const u = (v: bigint, n = 16) => parts.push(uintToBytes(v, n))
  amm.pools.forEach((pool, m) => {
    if (!pool) return
    u(BigInt(m), 2)
    u(pool.reserveBase)
    u(pool.reserveQuote)
    u(pool.totalShares)
    for (let p = 0; p < amm.P; p++) {
      const sh = pool.shares[p]!
      if (sh === 0n) continue
      u(BigInt(p), 2)
      u(sh)
      u(BigInt(pool.votes[p]!), 1)
    }
    parts.push(new Uint8Array([0x7c]))
  })
  return parts
}
