import { describe, expect, it } from 'vitest'
import { Side } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { ammHarness } from './harness.ts'
import { swapOutput } from './math.ts'
import { bookOutput, previewAdd, previewRemove, previewSwap, voteDistribution } from './views.ts'

describe('AMM previews', () => {
  it('a swap preview is what the fold does, with minimum received and price impact', () => {
    const h = ammHarness()
    expect(previewSwap(h.pool(), Side.Buy, 1000n, 50n).result).toBe(Reject.PoolEmpty)
    h.add(0, 10_000_000n, 10_000_000n, 30)
    const p = previewSwap(h.pool(), Side.Buy, 1_000_000n, 50n)
    expect(p.result).toBe(Reject.None)
    expect(p.out).toBe(swapOutput(1_000_000n, 10_000_000n, 10_000_000n, 30n))
    expect(p.minOut).toBe((p.out * 9950n) / 10_000n)
    expect(p.fee).toBe(3000n)
    // 1,000,000 · 0.997 / (10,000,000 + 997,000) ≈ 9.07 % → 907 bps, rounded up
    expect(p.impactBps).toBe(907n)
    expect(previewSwap(h.pool(), Side.Buy, 1n, 0n).result).toBe(Reject.ZeroOutput)
    expect(previewSwap(h.pool(), Side.Sell, 0n, 0n).result).toBe(Reject.ZeroAmount)
    // the swap with the preview's minOut goes through and pays exactly the preview
    expect(h.swap(1, { side: Side.Buy, amountIn: 1_000_000n, minOut: p.out })).toBe(Reject.None)
    expect(h.avail(1, 0)).toBe(1_000_000_000n + p.out)
  })
  it('add and remove previews match the fold; the vote distribution sums the voting shares', () => {
    const h = ammHarness()
    const first = previewAdd(h.pool(), 4_000_000n, 1_000_000n)
    expect(first.minted).toBe(1_999_000n)
    expect(first.shareBps).toBe(9995n)
    h.add(0, 4_000_000n, 1_000_000n, 5)
    const next = previewAdd(h.pool(), 400_000n, 1_000_000n)
    h.add(1, 400_000n, 1_000_000n, 100)
    expect(h.pool().shares[1]).toBe(next.minted)
    expect(1_000_000_000n - h.avail(1, 1)).toBe(next.quote)
    const out = previewRemove(h.pool(), 1000n)
    const before = h.avail(1, 0)
    h.remove(1, 1000n)
    expect(h.avail(1, 0) - before).toBe(out.base)
    expect(previewRemove(h.pool(), h.pool().totalShares + 1n)).toEqual({ base: 0n, quote: 0n })
    const d = voteDistribution(h.pool())
    expect(d.map((x) => x.tierBps)).toEqual([1n, 5n, 30n, 100n])
    expect(d[1]!.shares).toBe(1_999_000n)
    expect(d[1]!.voters).toBe(1)
    expect(d[3]!.shares).toBe(h.pool().shares[1])
    expect(d.reduce((a, x) => a + x.shares, 0n)).toBe(h.pool().totalShares - 1000n)
  })
  it('the book comparison walks the depth with the taker fee, leaving the viewer’s own quantity out', () => {
    const market = { tickSize: 1n, lotSize: 1000n }
    const asks = [
      { price: 100n, qty: 5n, orders: 1, own: 0n },
      { price: 110n, qty: 5n, orders: 1, own: 2n },
    ]
    // 5 lots at 100 cost 500 + 1 fee (rounded up); 600 − 501 = 99 buys no lot at 110 (110 + 1)
    expect(bookOutput(Side.Buy, 600n, asks, market, 10n)).toBe(5000n)
    expect(bookOutput(Side.Buy, 1000n, asks, market, 10n)).toBe(8000n) // then 3 free lots at 110
    const bids = [{ price: 100n, qty: 3n, orders: 1, own: 0n }]
    // 4,500 base = 4 lots, 3 fill: 300 quote − 0 fee (⌊300 · 10 / 10⁴⌋)
    expect(bookOutput(Side.Sell, 4500n, bids, market, 10n)).toBe(300n)
  })
})
