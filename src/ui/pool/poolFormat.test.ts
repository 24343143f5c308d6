import { describe, expect, it } from 'vitest'
import { OpTag, Side } from '../../core/ops.ts'
import { AmountError } from '../format.ts'
import { ammOpText, deadlineOf, parsePercentBps, pct, poolPrice, quoteAtRatio } from './poolFormat.ts'

const WETH = { address: '0x00000000000000000000000000000000000000b1' as const, symbol: 'WETH', decimals: 18 }
const USDC = { address: '0x00000000000000000000000000000000000000c2' as const, symbol: 'USDC', decimals: 6 }

describe('pool formatting', () => {
  it('percentages and slippage', () => {
    expect(pct(30n)).toBe('0.3 %')
    expect(pct(10_000n)).toBe('100 %')
    expect(parsePercentBps('0.5', 50)).toBe(50n)
    expect(() => parsePercentBps('51', 50)).toThrow(AmountError)
    expect(() => parsePercentBps('0.123', 50)).toThrow(AmountError)
    expect(() => parsePercentBps('-1', 50)).toThrow(AmountError)
  })
  it('price, ratio and deadline', () => {
    // 2 WETH against 6,000 USDC: 3,000 USDC per WETH
    expect(poolPrice(2n * 10n ** 18n, 6_000n * 10n ** 6n, WETH)).toBe(3_000n * 10n ** 6n)
    expect(poolPrice(0n, 1n, WETH)).toBeUndefined()
    expect(quoteAtRatio(10n, 3n, 10n)).toBe(34n)
    expect(deadlineOf(5_000n, 1_000.7, 60n)).toBe(65_000n)
    expect(deadlineOf(5_000n, 9_000, 60n)).toBe(69_000n)
  })
  it('names AMM ops', () => {
    const s = { base: WETH, quote: USDC }
    expect(
      ammOpText(
        { tag: OpTag.AmmSwap, market: 0, side: Side.Buy, amountIn: 1_500_000n, minOut: 0n, deadline: 0n },
        s,
      ),
    ).toBe('swap 1.5 USDC for WETH')
    expect(ammOpText({ tag: OpTag.AmmVote, market: 0, voteBps: 5 }, s)).toBe('fee vote 0.05 %')
  })
})
