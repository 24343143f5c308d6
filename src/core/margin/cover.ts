import { healthOf } from '../lending/health.ts'
import { claimOf, scaledFor, sharesToBurn, supplyIndex } from '../lending/pool.ts'
import { type MarginHost, nets } from './account.ts'
import { poolTerms } from './poolShares.ts'

/**
 * The cross-module moves of the one margin account, used by the two liquidations so that an account's assets in
 * one module pay its deficit in the other before anyone else does (no insurance fund, no supplier, no
 * auto-deleveraged trader pays while the account still holds what could pay). Both move exact amounts of the one
 * token the account nets in (the perps' collateral token = the lending quote token), so every token is conserved.
 */

/**
 * A bankrupt perp account (margin + PnL = −deficit) pays from its lending position, in this order, before the
 * insurance fund:
 *   1. its own supply of the margin token, withdrawn from the pool (as far as the pool has cash);
 *   2. a loan of the margin token against what else it supplies: at most its collateral at the liquidation
 *      threshold less its debt (so the loan stays backed; a lending liquidation then seizes that collateral).
 * Returns what was (with `apply`), or would be (without: nothing changes), moved into the margin account — 0 when
 * the channel does not net or the pool has no cash.
 */
export function coverPerpDeficit(host: MarginHost, trader: number, deficit: bigint, apply: boolean): bigint {
  const ps = host.perps
  const ls = host.lending
  if (!ps || !ls || !nets(host) || deficit <= 0n) return 0n
  const t = ps.params.collateralToken
  const pool = ls.pools[t]
  if (!pool) return 0n
  const i = trader * ls.T + t
  // a dry run makes the same moves and undoes them, so it returns exactly what the real one moves
  const saved = { pool: { ...pool }, shares: ls.shares[i]!, scaled: ls.scaled[i]! }
  let covered = 0n
  const held = ls.shares[i]!
  if (held > 0n) {
    const index = supplyIndex(pool)
    const claim = claimOf(held, index)
    let out = deficit < claim ? deficit : claim
    if (out > pool.cash) out = pool.cash
    if (out > 0n) {
      let burnt = out === claim ? held : sharesToBurn(out, index)
      if (burnt > held) burnt = held
      ls.shares[i] = held - burnt
      pool.totalShares -= burnt
      pool.cash -= out
      covered += out
    }
  }
  const rest = deficit - covered
  if (rest > 0n) {
    const prices = ls.prices(host)
    const h = healthOf(ls, host, trader, prices)
    // room at the liquidation threshold (supplies and pool shares), in units of the margin token (price 1)
    const pooled = poolTerms(host.amm, ls, trader, prices).collateral
    const room = h.unpriced ? 0n : (h.collateral + pooled - h.debt) / 10_000n
    let loan = rest < room ? rest : room
    if (loan > pool.cash) loan = pool.cash
    if (loan > 0n) {
      const add = scaledFor(loan, pool)
      ls.scaled[i]! += add
      pool.totalScaled += add
      pool.cash -= loan
      covered += loan
    }
  }
  if (!apply) {
    Object.assign(pool, saved.pool)
    ls.shares[i] = saved.shares
    ls.scaled[i] = saved.scaled
    return covered
  }
  ps.margin[trader]! += covered
  ps.collateral += covered
  return covered
}

/**
 * What a lending liquidator may seize from the margin account of `trader` in the margin token: only when the
 * channel nets, `token` is the margin token, and the account holds no open perp position (a position is liquidated
 * first, by the perps' liquidation, which realizes its PnL into the margin). At most the margin, and at most what the
 * margin accounts hold in total (as a margin withdrawal). 0 otherwise.
 */
export function seizableMargin(host: MarginHost, trader: number, token: number): bigint {
  const ps = host.perps
  if (!ps || !nets(host) || token !== ps.params.collateralToken) return 0n
  for (const m of ps.perpMarkets) {
    const pos = ps.positions[trader * ps.M + m]
    if (pos && pos.size !== 0n) return 0n
  }
  const margin = ps.margin[trader]!
  const free = margin < ps.collateral ? margin : ps.collateral
  return free > 0n ? free : 0n
}

/** Moves `amount` (≤ seizableMargin) from the trader's margin account to the liquidator's ledger balance. */
export function seizeMargin(host: MarginHost, trader: number, liquidator: number, amount: bigint): void {
  const ps = host.perps!
  ps.margin[trader]! -= amount
  ps.collateral -= amount
  host.avail[liquidator * host.T + ps.params.collateralToken]! += amount
}

/** Whether an account holds anything the margin account could still pay a debt with (an open position or margin). */
export function holdsMargin(host: MarginHost, p: number): boolean {
  const ps = host.perps
  if (!ps || !nets(host)) return false
  if (ps.margin[p]! > 0n) return true
  for (const m of ps.perpMarkets) {
    const pos = ps.positions[p * ps.M + m]
    if (pos && pos.size !== 0n) return true
  }
  return false
}
