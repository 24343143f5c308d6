import { ColorType, createChart, type IChartApi, LineSeries, type UTCTimestamp } from 'lightweight-charts'
import { useEffect, useRef } from 'react'
import { chartPoints } from '../../store/chartPoints.ts'
import { formatPrice, priceDecimals, tickToQuotePerBase } from '../format.ts'
import { useSnapshot, useTrading } from './context.ts'

/** hh:mm:ss of a channel-clock second, in the viewer's time zone. */
const clockLabel = (second: number) => new Date(second * 1000).toLocaleTimeString()

/**
 * Last-traded price of the selected market over time (each trade's block as store/activity.ts dates it: its seal
 * time, never before the channel clock at its commit — the same on every replica once final), one point per
 * second; prices formatted as the order book formats them.
 */
export function PriceChart() {
  const { market, marketIndex, tokens } = useTrading()
  const rows = useSnapshot((s) => s.tradeRows)
  const trades = useSnapshot((s) => s.trades)
  const el = useRef<HTMLDivElement>(null)
  const chart = useRef<{ api: IChartApi; series: ReturnType<IChartApi['addSeries']> } | undefined>(undefined)
  const base = tokens[market.base]!
  const quote = tokens[market.quote]!
  const decimals = priceDecimals(market, base, quote)

  useEffect(() => {
    if (!el.current) return
    const api = createChart(el.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: '#161a1e' }, textColor: '#848e9c' },
      grid: { vertLines: { color: '#1e2329' }, horzLines: { color: '#1e2329' } },
      timeScale: { timeVisible: true, secondsVisible: true },
      localization: { timeFormatter: (t: number) => clockLabel(t) },
    })
    const series = api.addSeries(LineSeries, { color: '#fcd535', lineWidth: 2 })
    chart.current = { api, series }
    return () => {
      api.remove()
      chart.current = undefined
    }
  }, [])

  useEffect(() => {
    const c = chart.current
    if (!c) return
    const scale = 10 ** quote.decimals
    c.series.applyOptions({
      priceFormat: { type: 'price', precision: decimals, minMove: 1 / 10 ** decimals },
    })
    c.series.setData(
      chartPoints(rows, marketIndex).map((p) => ({
        time: p.second as UTCTimestamp,
        // display only: the chart library takes floats
        value: Number(tickToQuotePerBase(p.price, market, base)) / scale,
      })),
    )
  }, [rows, marketIndex, market, base, quote, decimals])

  const last = trades.find((t) => t.market === marketIndex)
  return (
    <section className="panel chart" aria-label="Price chart">
      <header className="panel-head">
        {base.symbol}/{quote.symbol}{' '}
        <span className="last" data-testid="last-price">
          {last ? formatPrice(last.price, market, base, quote) : '—'}
        </span>
      </header>
      <div ref={el} className="chart-area" />
    </section>
  )
}
