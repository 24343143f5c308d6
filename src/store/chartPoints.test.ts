import { describe, expect, it } from 'vitest'
import type { TradeRow } from './activity.ts'
import { chartPoints } from './chartPoints.ts'

const row = (market: number, price: bigint, time: bigint): TradeRow => ({
  trade: {
    market,
    price,
    qty: 1n,
    maker: 0,
    taker: 1,
    takerSide: 0,
    makerOrder: 'a',
    takerOrder: 'b',
    makerFee: 0n,
    takerFee: 0n,
    block: '',
  },
  time,
  final: true,
  mine: undefined,
})

describe('price chart on the channel clock', () => {
  it('orders oldest first, keeps the last price of each second, and only the chosen market', () => {
    // newest first, as tradeRowsOf lists them
    const rows = [
      row(0, 2040n, 7_900n),
      row(1, 9n, 7_500n),
      row(0, 2030n, 7_100n),
      row(0, 2020n, 5_999n),
      row(0, 2010n, 5_000n),
    ]
    expect(chartPoints(rows, 0)).toEqual([
      { second: 5, price: 2020n },
      { second: 7, price: 2040n },
    ])
    expect(chartPoints(rows, 1)).toEqual([{ second: 7, price: 9n }])
    expect(chartPoints([], 0)).toEqual([])
  })

  it('times strictly increase even when a pending trade reads an older clock than a final one', () => {
    const rows = [row(0, 3n, 4_000n), row(0, 2n, 6_000n), row(0, 1n, 5_000n)]
    const points = chartPoints(rows, 0)
    for (let i = 1; i < points.length; i++) expect(points[i]!.second).toBeGreaterThan(points[i - 1]!.second)
    expect(points[points.length - 1]!.price).toBe(3n)
  })
})
