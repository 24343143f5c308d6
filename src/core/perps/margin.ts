import type { PerpsState } from './engine.ts'
import { abs, type Position, unrealizedPnl } from './positions.ts'

/**
 * One margin account per participant (netting): collateral (`margin`, quote units of the collateral token,
 * signed — realized losses may exceed it) plus the unrealized PnL of every perp position at mark, funding
 * accrued included, is the account's equity. Notional = Σ |size| · mark · tick over its positions.
 *
 *   initial margin (leverage ≤ maxLeverage):   equity · maxLeverage ≥ notional
 *   health (maintenance):                      equity · 10,000 ≥ notional · maintenanceMarginBps
 *
 * An account with a position that fails the health inequality is liquidatable — exactly then. Initial margin is
 * checked at the position of every op that adds risk (a fill that grows or flips a position, a margin
 * withdrawal); fills that only reduce a position are always allowed.
 */
export type Account = { equity: bigint; notional: bigint; positions: number }

/** A hypothetical change to one account: its position in `market` replaced, its margin moved by `marginDelta`. */
export type Change = { market: number; position: Position; marginDelta: bigint }

export function account(ps: PerpsState, p: number, change?: Change): Account {
  let equity = ps.margin[p]! + (change?.marginDelta ?? 0n)
  let notional = 0n
  let positions = 0
  for (const m of ps.perpMarkets) {
    const pos = change && change.market === m ? change.position : ps.positions[p * ps.M + m]
    if (!pos || pos.size === 0n) continue
    const mark = ps.mark(m)!
    const tick = ps.tick(m)
    equity += unrealizedPnl(pos, mark, tick, ps.funding[m]!.cum)
    notional += abs(pos.size) * mark * tick
    positions++
  }
  return { equity, notional, positions }
}

export function withinInitialMargin(a: Account, maxLeverage: bigint): boolean {
  return a.equity * maxLeverage >= a.notional
}

export function healthy(a: Account, maintenanceMarginBps: bigint): boolean {
  return a.equity * 10_000n >= a.notional * maintenanceMarginBps
}

export function isLiquidatable(ps: PerpsState, p: number): boolean {
  const a = account(ps, p)
  return a.positions > 0 && !healthy(a, ps.params.maintenanceMarginBps)
}
