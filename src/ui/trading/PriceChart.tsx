import { ColorType, createChart, type IChartApi, LineSeries, type UTCTimestamp } from 'lightweight-charts'
import { useEffect, useRef } from 'react'
import { formatPrice, tickToQuotePerBase } from '../format.ts'
import { useSnapshot, useTrading } from './context.ts'

/**
 * Last-traded price per execution, in canonical order. The x axis counts executions, not wall time: the channel
 * has no clock, and every peer sees the same sequence.
 */
export function PriceChart() {
  const { market, tokens } = useTrading()
  const trades = useSnapshot((s) => s.trades)
  const el = useRef<HTMLDivElement>(null)
  const chart = useRef<{ api: IChartApi; series: ReturnType<IChartApi['addSeries']> } | undefined>(undefined)
  const base = tokens[market.base]!
  const quote = tokens[market.quote]!

  useEffect(() => {
    if (!el.current) return
    const api = createChart(el.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: '#161a1e' }, textColor: '#848e9c' },
      grid: { vertLines: { color: '#1e2329' }, horzLines: { color: '#1e2329' } },
      timeScale: { tickMarkFormatter: (t: number) => `#${t}` },
      localization: { timeFormatter: (t: number) => `execution #${t}` },
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
    const ordered = trades.slice().reverse()
    const scale = 10 ** quote.decimals
    c.series.setData(
      ordered.map((t, i) => ({
        time: (i + 1) as UTCTimestamp,
        // display only: the chart library takes floats
        value: Number(tickToQuotePerBase(t.price, market, base)) / scale,
      })),
    )
  }, [trades, market, base, quote])

  const last = trades[0]
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
