import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { quoteMarketOrder } from './marketQuote.ts'
import { Side } from './ops.ts'
import type { DepthLevel } from './views.ts'

const lvl = (price: bigint, qty: bigint, own = 0n): DepthLevel => ({ price, qty, orders: 1, own })
// WETH/USDC-like: 18-decimal base, lot 0.001 WETH, tick 0.01 USDC per lot-price unit simplified to tickSize 1
const market = { tickSize: 1n, lotSize: 10n ** 15n, baseDecimals: 18 }

describe('quoteMarketOrder', () => {
  it('walks the asks best first: average, slippage, fee, total', () => {
    const q = quoteMarketOrder({
      side: Side.Buy,
      qty: 300n,
      levels: [lvl(2000n, 100n), lvl(2010n, 100n), lvl(2020n, 500n)],
      takerFeeBps: 10n,
      ...market,
    })
    expect(q.filled).toBe(300n)
    expect(q.unfilled).toBe(0n)
    expect(q.notional).toBe(100n * 2000n + 100n * 2010n + 100n * 2020n)
    expect(q.fee).toBe(200n + 201n + 202n)
    expect(q.total).toBe(q.notional + q.fee)
    expect(q.best).toBe(2000n)
    expect(q.worst).toBe(2020n)
    // 603000 quote units for 0.3 WETH → 2010000 per WETH
    expect(q.averagePerBase).toBe(2_010_000n)
    expect(q.slippageCentiBps).toBe(5000n) // 2010 vs 2000
  })

  it('a sell walks the bids down and receives the notional minus the fee', () => {
    const q = quoteMarketOrder({
      side: Side.Sell,
      qty: 150n,
      levels: [lvl(1000n, 100n), lvl(990n, 100n)],
      takerFeeBps: 100n,
      ...market,
    })
    expect(q.notional).toBe(100_000n + 49_500n)
    expect(q.fee).toBe(1000n + 495n)
    expect(q.total).toBe(q.notional - q.fee)
    expect(q.slippageCentiBps).toBe(3334n) // (1000 − 996.666…)/1000, rounded up
  })

  it('stops at the protection price and reports what is left unfilled', () => {
    const q = quoteMarketOrder({
      side: Side.Buy,
      qty: 300n,
      levels: [lvl(100n, 100n), lvl(104n, 100n), lvl(106n, 100n)],
      limit: 105n,
      takerFeeBps: 0n,
      ...market,
    })
    expect(q.filled).toBe(200n)
    expect(q.unfilled).toBe(100n)
    expect(q.worst).toBe(104n)
  })

  it('leaves out the viewer’s own resting quantity (self-trade prevention cancels it)', () => {
    const q = quoteMarketOrder({
      side: Side.Buy,
      qty: 10n,
      levels: [lvl(100n, 5n, 5n), lvl(101n, 20n, 5n)],
      takerFeeBps: 0n,
      ...market,
    })
    expect(q.best).toBe(101n)
    expect(q.notional).toBe(1010n)
    expect(q.slippageCentiBps).toBe(0n)
  })

  it('an empty side fills nothing', () => {
    const q = quoteMarketOrder({ side: Side.Sell, qty: 5n, levels: [], takerFeeBps: 10n, ...market })
    expect(q).toMatchObject({ filled: 0n, unfilled: 5n, notional: 0n, fee: 0n, best: undefined })
    expect(q.averagePerBase).toBeUndefined()
  })

  it('property: filled + unfilled = qty, and the average lies between the best and the worst level', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ step: fc.bigInt(1n, 50n), qty: fc.bigInt(1n, 1000n) }), { maxLength: 8 }),
        fc.bigInt(1n, 5000n),
        fc.boolean(),
        (steps, qty, buy) => {
          let price = 5000n
          const levels = steps.map((s) => {
            price += buy ? s.step : -s.step
            return lvl(price, s.qty)
          })
          const q = quoteMarketOrder({
            side: buy ? Side.Buy : Side.Sell,
            qty,
            levels,
            takerFeeBps: 5n,
            tickSize: 1n,
            lotSize: 1n,
            baseDecimals: 0,
          })
          expect(q.filled + q.unfilled).toBe(qty)
          if (q.filled > 0n) {
            const lo = buy ? q.best! : q.worst!
            const hi = buy ? q.worst! : q.best!
            expect(q.averagePerBase! >= lo && q.averagePerBase! <= hi).toBe(true)
            expect(q.slippageCentiBps).toBeGreaterThanOrEqual(0n)
          }
        },
      ),
    )
  })
})
