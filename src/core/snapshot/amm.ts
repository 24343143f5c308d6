import type { AmmState } from '../amm/engine.ts'
import { FEE_TIERS_BPS } from '../amm/fees.ts'
import { emptyPool, type Holding, withHoldings } from '../amm/pool.ts'
import type { Reader, Writer } from './bytesIO.ts'

/**
 * The AMM part of a state snapshot (channels with params.amm): per pool (market order, spot markets only) the
 * reserves, total shares and every participant's shares and fee vote. Tier weights and the fee are recomputed on
 * restore (pool.ts withHoldings), so a snapshot cannot carry a fee its votes do not give.
 */
export function writeAmm(w: Writer, amm: AmmState): void {
  for (const pool of amm.pools) {
    if (!pool) continue
    w.uint(pool.reserveBase, 16)
    w.uint(pool.reserveQuote, 16)
    w.uint(pool.totalShares, 16)
    for (let p = 0; p < amm.P; p++) {
      w.uint(pool.shares[p]!, 16)
      w.num(pool.votes[p]! + 1, 1)
    }
  }
}

/** Reads what writeAmm wrote into the fresh AMM state of the same channel. */
export function readAmm(r: Reader, amm: AmmState): void {
  for (let m = 0; m < amm.pools.length; m++) {
    if (!amm.pools[m]) continue
    const rest = { reserveBase: r.uint(16), reserveQuote: r.uint(16), totalShares: r.uint(16) }
    const holdings: Holding[] = []
    for (let p = 0; p < amm.P; p++) {
      const shares = r.uint(16)
      const vote = r.num(1) - 1
      r.check(vote < FEE_TIERS_BPS.length && vote >= 0 === shares > 0n, 'pool vote out of range')
      holdings.push({ p, shares, vote })
    }
    amm.pools[m] = withHoldings(emptyPool(amm.P, amm.defaultFeeBps), holdings, rest, amm.defaultFeeBps)
  }
}
