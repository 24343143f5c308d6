import type { AmmState } from '../amm/engine.ts'
import { isqrt } from '../amm/math.ts'
import type { Pool as AmmPool } from '../amm/pool.ts'
import type { LendingState } from '../lending/engine.ts'
import { sharesFor, supplyIndex } from '../lending/pool.ts'
import type { Price } from '../lending/prices.ts'

/**
 * AMM pool shares in the margin account (issue #10: "pool shares count at a deterministic value").
 *
 * A pool counts when both its tokens are lendable and priced by the lending pool (prices.ts: mark = median(oracle,
 * book mid, last trade), never the pool's own spot). Its value in the lending quote token is the **fair reserves
 * value** — what the reserves would be worth after an arbitrage to the mark, 2·√(X·p_base · Y·p_quote):
 *
 *   V = 2 · ⌊√⌊X · Y · num_b · num_q / (den_b · den_q)⌋⌋      a holder's part  v = ⌊shares · V / S⌋
 *
 * A swap keeps X·Y (fees only raise it), so no swap against the pool moves V except by the fees it pays: pushing
 * the pool away from the mark does not raise the collateral (at the mark the reserves X·p + Y are then worth more,
 * never less: V is their lower bound, by AM-GM). Adding or removing liquidity moves V and S in proportion.
 *
 * The haircut is the weaker token's: collateral v · min(liquidationThreshold_b, _q), borrow power v · min(ltv_b,
 * _q) (× 10,000 like every lending term). A pool with a token that is not lendable or has no price counts 0.
 * A lending liquidation reaches the value by redeeming the shares (liquidation.ts: `redeemPoolShares`).
 */
export type PoolTerms = {
  /** Σ v over the pools that count, in quote units (for display) */
  value: bigint
  /** Σ v · min(liquidationThreshold), × 10,000 */
  collateral: bigint
  /** Σ v · min(ltv), × 10,000 */
  borrowPower: bigint
}

export const NO_POOL_TERMS: PoolTerms = { value: 0n, collateral: 0n, borrowPower: 0n }

/** Fair values per pool object and prices: pools are replaced, never mutated, so the object names its reserves. */
const fair = new WeakMap<AmmPool, { b: Price; q: Price; v: bigint }>()

/** The pool's fair reserves value at prices `b` (base) and `q` (quote), in quote units (rounded down). */
export function fairPoolValue(pool: AmmPool, b: Price, q: Price): bigint {
  const hit = fair.get(pool)
  if (hit && hit.b.num === b.num && hit.b.den === b.den && hit.q.num === q.num && hit.q.den === q.den)
    return hit.v
  const v = 2n * isqrt((pool.reserveBase * pool.reserveQuote * b.num * q.num) / (b.den * q.den))
  fair.set(pool, { b, q, v })
  return v
}

/** Participant p's pool shares as margin-account terms, at the lending prices `prices` (indexed by token). */
export function poolTerms(
  amm: AmmState | undefined,
  ls: LendingState,
  p: number,
  prices: readonly (Price | undefined)[],
): PoolTerms {
  if (!amm) return NO_POOL_TERMS
  let value = 0n
  let collateral = 0n
  let borrowPower = 0n
  for (let m = 0; m < amm.pools.length; m++) {
    const pool = amm.pools[m]
    if (!pool) continue
    const sh = pool.shares[p]!
    if (sh === 0n) continue
    const tk = amm.tokens[m]!
    const kb = ls.cfg[tk.base]
    const kq = ls.cfg[tk.quote]
    const pb = prices[tk.base]
    const pq = prices[tk.quote]
    if (!kb || !kq || !pb || !pq) continue
    const v = (sh * fairPoolValue(pool, pb, pq)) / pool.totalShares
    value += v
    const lt =
      kb.liquidationThresholdBps < kq.liquidationThresholdBps
        ? kb.liquidationThresholdBps
        : kq.liquidationThresholdBps
    const ltv = kb.ltvBps < kq.ltvBps ? kb.ltvBps : kq.ltvBps
    collateral += v * lt
    borrowPower += v * ltv
  }
  return { value, collateral, borrowPower }
}

/** Whether p holds shares of a pool that counts in its margin account (both tokens lendable; prices aside). */
export function holdsCountedShares(amm: AmmState | undefined, ls: LendingState, p: number): boolean {
  if (!amm) return false
  for (let m = 0; m < amm.pools.length; m++) {
    const pool = amm.pools[m]
    const tk = amm.tokens[m]
    if (pool && tk && pool.shares[p]! > 0n && ls.cfg[tk.base] && ls.cfg[tk.quote]) return true
  }
  return false
}

/**
 * What a lending liquidation does first to an account holding counted pool shares: every such holding is redeemed
 * at the pool's reserves (exactly what `AmmRemove` pays: ⌊shares·X/S⌋, ⌊shares·Y/S⌋) and both amounts are supplied
 * to the lending pool on the trader's behalf (shares minted at the supply index, rounded down), where the
 * liquidation seizes them as any supply. A token the lending pool cannot take (an insolvent pool, or an amount that
 * mints no share) goes to the trader's ledger instead. Tokens only move reserves → lending cash (or ledger): every
 * token is conserved. Returns the undo (the liquidation is all-or-nothing) or undefined when nothing was held.
 */
export function redeemPoolShares(
  amm: AmmState | undefined,
  ls: LendingState,
  avail: bigint[],
  p: number,
): (() => void) | undefined {
  if (!amm || !holdsCountedShares(amm, ls, p)) return undefined
  const undo: (() => void)[] = []
  for (let m = 0; m < amm.pools.length; m++) {
    const tk = amm.tokens[m]
    if (!tk || !ls.cfg[tk.base] || !ls.cfg[tk.quote]) continue
    const out = amm.redeemAll(p, m)
    if (!out) continue
    undo.push(() => amm.restore(m, out.before))
    for (const [t, amount] of [
      [tk.base, out.base],
      [tk.quote, out.quote],
    ] as const)
      if (amount > 0n) undo.push(supplyFor(ls, avail, p, t, amount))
  }
  return () => {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!()
  }
}

/** Supplies `amount` of token t (just redeemed from a pool) for p; returns the undo. */
function supplyFor(ls: LendingState, avail: bigint[], p: number, t: number, amount: bigint): () => void {
  const pool = ls.pools[t]!
  const i = p * ls.T + t
  const saved = { ...pool }
  const held = ls.shares[i]!
  const index = supplyIndex(pool)
  const minted = index === 0n ? 0n : sharesFor(amount, index)
  if (minted === 0n) {
    avail[i]! += amount
    return () => {
      avail[i]! -= amount
    }
  }
  pool.cash += amount
  pool.totalShares += minted
  ls.shares[i] = held + minted
  return () => {
    Object.assign(pool, saved)
    ls.shares[i] = held
  }
}
