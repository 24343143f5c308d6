import type { Pool as AmmPool } from '../amm/pool.ts'
import type { LendingHost, LendingState } from '../lending/engine.ts'
import { healthOf } from '../lending/health.ts'
import type { Price } from '../lending/prices.ts'
import { poolTerms } from './poolShares.ts'

/**
 * The lending side of one margin account — supplies, pool shares and debts at the lending prices — and its cache.
 *
 * A perp fill checks both parties' accounts, and so recomputed every supply and debt value of both (supply index,
 * claim, price, debt) per fill, although a fill changes none of them: in the bench's `all` mix that was a third of
 * the fold. The cache keeps, per account, the terms with **every input they were computed from**: per lendable
 * token the account's supply shares and scaled debt, the pool's cash, total shares, total scaled debt, borrow index
 * and reserve, and the price; per AMM market the pool object (pools are replaced, never mutated, so the object
 * names its reserves and shares). A lookup compares them all and recomputes on any difference, so a hit returns
 * exactly what recomputation would (a pure memo: no invalidation to forget, nothing depends on which views ran),
 * and any change of the account, of a pool's indexes or of a mark misses. `terms.test.ts` checks cached =
 * recomputed after every op of random streams.
 */
export type LendingTerms = {
  /** C: supplies and pool shares at their liquidation thresholds, × 10,000 */
  collateral: bigint
  /** B: supplies and pool shares at their loan-to-value, × 10,000 */
  borrowPower: bigint
  debt: bigint
  hasDebt: boolean
  unpriced: boolean
  supplyCollateral: bigint
  poolValue: bigint
  poolCollateral: bigint
}

type Entry = { key: bigint[]; pools: (AmmPool | undefined)[]; terms: LendingTerms }

/** Per lending params (shared by a state's clones; a memo on full inputs is valid for each), per account. */
const caches = new WeakMap<LendingState['params'], (Entry | undefined)[]>()

/** The terms, computed (no cache). */
export function lendingTermsFresh(
  ls: LendingState,
  host: LendingHost,
  p: number,
  prices: readonly (Price | undefined)[],
): LendingTerms {
  const h = healthOf(ls, host, p, prices as (Price | undefined)[])
  const pt = poolTerms(host.amm, ls, p, prices)
  return {
    collateral: h.collateral + pt.collateral,
    borrowPower: h.borrowPower + pt.borrowPower,
    debt: h.debt,
    hasDebt: h.hasDebt,
    unpriced: h.unpriced,
    supplyCollateral: h.collateral,
    poolValue: pt.value,
    poolCollateral: pt.collateral,
  }
}

function keyOf(ls: LendingState, p: number, prices: readonly (Price | undefined)[]): bigint[] {
  const key: bigint[] = []
  for (const t of ls.lendable) {
    const i = p * ls.T + t
    const pool = ls.pools[t]!
    const px = prices[t]
    key.push(
      ls.shares[i]!,
      ls.scaled[i]!,
      pool.cash,
      pool.totalShares,
      pool.totalScaled,
      pool.borrowIndex,
      pool.reserve,
      px ? px.num : -1n,
      px ? px.den : -1n,
    )
  }
  return key
}

function sameKey(
  ls: LendingState,
  p: number,
  prices: readonly (Price | undefined)[],
  key: bigint[],
): boolean {
  let k = 0
  for (const t of ls.lendable) {
    const i = p * ls.T + t
    const pool = ls.pools[t]!
    const px = prices[t]
    if (
      key[k] !== ls.shares[i] ||
      key[k + 1] !== ls.scaled[i] ||
      key[k + 2] !== pool.cash ||
      key[k + 3] !== pool.totalShares ||
      key[k + 4] !== pool.totalScaled ||
      key[k + 5] !== pool.borrowIndex ||
      key[k + 6] !== pool.reserve ||
      key[k + 7] !== (px ? px.num : -1n) ||
      key[k + 8] !== (px ? px.den : -1n)
    )
      return false
    k += 9
  }
  return true
}

/** The terms through the per-account cache: the same value as `lendingTermsFresh`, recomputed only on a change. */
export function lendingTerms(
  ls: LendingState,
  host: LendingHost,
  p: number,
  prices: readonly (Price | undefined)[],
): LendingTerms {
  let cache = caches.get(ls.params)
  if (!cache) {
    cache = []
    caches.set(ls.params, cache)
  }
  const pools = host.amm?.pools ?? []
  const e = cache[p]
  if (
    e &&
    e.pools.length === pools.length &&
    e.pools.every((x, m) => x === pools[m]) &&
    sameKey(ls, p, prices, e.key)
  )
    return e.terms
  const terms = lendingTermsFresh(ls, host, p, prices)
  cache[p] = { key: keyOf(ls, p, prices), pools: pools.slice(), terms }
  return terms
}
