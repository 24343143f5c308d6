import type { TradeRow } from './activity.ts'

/** One point of the price chart: a whole second of channel time and the last price traded in it (ticks). */
export type ChartPoint = { second: number; price: bigint }

/**
 * The price line of one market on the channel clock: trades of `market` (rows newest first, as tradeRowsOf gives
 * them) oldest first, one point per second holding the last price of that second — the chart library needs
 * strictly increasing times, and every replica shows the same line (the clock is the channel's, not the wall's).
 */
export function chartPoints(rows: readonly TradeRow[], market: number): ChartPoint[] {
  const out: ChartPoint[] = []
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i]!
    if (r.trade.market !== market) continue
    const second = Number(r.time / 1000n)
    const last = out[out.length - 1]
    if (last && second <= last.second) last.price = r.trade.price
    else out.push({ second, price: r.trade.price })
  }
  return out
}
