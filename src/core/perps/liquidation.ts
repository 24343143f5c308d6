import { marginAccount, meetsInitial, meetsMaintenance } from '../margin/account.ts'
import { coverPerpDeficit } from '../margin/cover.ts'
import type { Host, PerpsState } from './engine.ts'
import { account } from './margin.ts'
import { abs, applyFill, inBounds, isReducing, type Position } from './positions.ts'

/**
 * Liquidation of an account below maintenance margin — the one margin account's inequality (margin/account.ts:
 * E · 10,000 + C − D < N · mmBps, netted with its loans and supplies; with perps alone equity · 10,000 < notional ·
 * mmBps) — one market at a time, at a deterministic price: the mark.
 *
 * With equity E ≥ 0 the liquidator takes the whole position over at mark (so sizes still sum to zero), and the
 * trader pays the liquidation fee min(notional · liquidationFeeBps / 10,000, E) to the insurance fund. The
 * liquidator must stay within its own initial margin (or only reduce its own position), else LiquidatorMargin.
 *
 * With E < 0 (E the perp equity: margin + PnL) the account is bankrupt by −E. When the channel nets, its lending
 * position pays first (margin/cover.ts: its supply of the margin token, then a loan against its other supplies up to
 * their threshold value), which raises E. If E is still < 0, call the rest D = −E: the insurance fund pays min(D, fund) into it. If that covers D the
 * liquidator takes the position over at mark as above (no fee). Otherwise the rest D′ is auto-deleveraged: the
 * position is closed against the opposite positions in the same market, richest first (account equity at mark,
 * then participant index), each taking min(its size, what is left) at mark, while paying its share of D′
 * (⌊D′ · lots / size⌋, the remainder by the first) on top: the bankrupt account ends at equity 0 and no account
 * outside the trade pays anything.
 */
export type LiquidationResult =
  | { ok: true; fee: bigint; insurancePaid: bigint; deleveraged: bigint }
  | { ok: false; reason: 'not-liquidatable' | 'no-position' | 'liquidator-margin' | 'out-of-range' }

export function liquidate(
  host: Host,
  ps: PerpsState,
  liquidator: number,
  trader: number,
  m: number,
): LiquidationResult {
  const pos = ps.positions[trader * ps.M + m]
  if (!pos || pos.size === 0n) return { ok: false, reason: 'no-position' }
  const acct = marginAccount(host, trader, 'perps')
  if (meetsMaintenance(acct, ps.params.maintenanceMarginBps)) return { ok: false, reason: 'not-liquidatable' }
  const mark = ps.mark(m)!
  const tick = ps.tick(m)
  const size = pos.size
  const atMark = size * mark * tick
  // what the trader's lending position pays of a perp deficit (0 without netting), known before anything moves
  const cover = acct.equity < 0n ? coverPerpDeficit(host, trader, -acct.equity, false) : 0n
  const E = acct.equity + cover
  if (E >= 0n || ps.insurance >= -E) {
    // the liquidator's side: it buys what the trader sells, at mark
    ps.settleFunding(liquidator, m)
    const lb = ps.position(liquidator, m)
    const lf = applyFill(lb, size, atMark)
    if (!inBounds(lf.next)) return { ok: false, reason: 'out-of-range' }
    if (!isReducing(lb.size, lf.next.size)) {
      const change = { market: m, position: lf.next, marginDelta: lf.realized }
      if (!meetsInitial(marginAccount(host, liquidator, 'perps', change), ps.maxLeverage))
        return { ok: false, reason: 'liquidator-margin' }
    }
    if (cover > 0n) coverPerpDeficit(host, trader, -acct.equity, true)
    let insurancePaid = 0n
    if (E < 0n) {
      insurancePaid = -E
      ps.insurance -= insurancePaid
      ps.margin[trader]! += insurancePaid
    }
    closeAt(ps, trader, m, -atMark)
    ps.setPosition(liquidator, m, lf.next)
    ps.margin[liquidator]! += lf.realized
    const feeDue = (abs(atMark) * ps.params.liquidationFeeBps) / 10_000n
    const fee = E <= 0n ? 0n : feeDue < E ? feeDue : E
    ps.margin[trader]! -= fee
    ps.insurance += fee
    return { ok: true, fee, insurancePaid, deleveraged: 0n }
  }
  // bankrupt beyond the insurance fund: auto-deleveraging
  if (cover > 0n) coverPerpDeficit(host, trader, -acct.equity, true)
  const insurancePaid = ps.insurance
  ps.insurance = 0n
  ps.margin[trader]! += insurancePaid
  const rest = -E - insurancePaid
  const counter = rankOpposite(ps, trader, m, size)
  let left = abs(size)
  const fills: { p: number; lots: bigint }[] = []
  for (const c of counter) {
    if (left === 0n) break
    const lots = c.lots < left ? c.lots : left
    fills.push({ p: c.p, lots })
    left -= lots
  }
  // sizes sum to zero, so the opposite side always holds at least |size|
  const dir = size > 0n ? 1n : -1n
  let shared = 0n
  const shares = fills.map((f) => {
    const s = (rest * f.lots) / abs(size)
    shared += s
    return s
  })
  shares[0]! += rest - shared
  fills.forEach((f, i) => {
    ps.settleFunding(f.p, m)
    // the counterparty closes `lots` of its opposite position at mark and pays its share of the deficit
    const { next, realized } = applyFill(
      ps.position(f.p, m),
      dir * f.lots,
      dir * f.lots * mark * tick + shares[i]!,
    )
    ps.setPosition(f.p, m, next)
    ps.margin[f.p]! += realized
  })
  closeAt(ps, trader, m, -atMark - rest)
  return { ok: true, fee: 0n, insurancePaid, deleveraged: abs(size) }
}

/** Closes the trader's whole position in m for `cash` (what it pays; < 0: receives), funding settled first. */
function closeAt(ps: PerpsState, trader: number, m: number, cash: bigint): void {
  ps.settleFunding(trader, m)
  const pos: Position = ps.position(trader, m)
  const { next, realized } = applyFill(pos, -pos.size, cash)
  ps.setPosition(trader, m, next)
  ps.margin[trader]! += realized
}

/** Accounts opposite to `size` in market m (not the trader), highest equity at mark first, then by index. */
function rankOpposite(ps: PerpsState, trader: number, m: number, size: bigint) {
  const out: { p: number; lots: bigint; equity: bigint }[] = []
  for (let p = 0; p < ps.P; p++) {
    const pos = ps.positions[p * ps.M + m]
    if (p === trader || !pos || pos.size === 0n || pos.size > 0n === size > 0n) continue
    out.push({ p, lots: abs(pos.size), equity: account(ps, p).equity })
  }
  return out.sort((a, b) => (a.equity > b.equity ? -1 : a.equity < b.equity ? 1 : a.p - b.p))
}
