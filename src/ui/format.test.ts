import { describe, expect, it } from 'vitest'
import type { Market } from '../core/channel.ts'
import {
  AmountError,
  formatCentiBpsAsPercent,
  formatPrice,
  formatQty,
  formatUnits,
  orderLabel,
  parsePrice,
  parseQty,
  parseUnits,
  wholeNumberError,
} from './format.ts'

const WETH = { address: '0x01' as const, symbol: 'WETH', decimals: 18 }
const USDC = { address: '0x02' as const, symbol: 'USDC', decimals: 6 }
// lot 0.001 WETH, tick 0.01 USDC per WETH (= 10 USDC units per lot)
const m: Market = { base: 0, quote: 1, tickSize: 10n, lotSize: 10n ** 15n }

describe('amount formatting', () => {
  it('formats and parses base units without floats', () => {
    expect(formatUnits(1234567890n, 6)).toBe('1,234.56789')
    expect(formatUnits(10n ** 18n + 1n, 18, 4)).toBe('1')
    expect(parseUnits('1,234.56789', 6)).toBe(1234567890n)
    expect(parseUnits('0.000000000000000001', 18)).toBe(1n)
    expect(() => parseUnits('1.0000001', 6)).toThrow(AmountError)
    expect(() => parseUnits('-1', 6)).toThrow(AmountError)
    expect(() => parseUnits('1e3', 6)).toThrow(AmountError)
  })
  it('takes commas only as thousands separators: a decimal comma is refused, never read as a 10× amount', () => {
    expect(parseUnits('50,000', 6)).toBe(50_000_000_000n)
    expect(parseUnits('1,234,567.5', 6)).toBe(1_234_567_500_000n)
    for (const t of ['1,5', '0,001', '12,34', '1,2345', ',5', '1,,000', '1000,000'])
      expect(() => parseUnits(t, 18), t).toThrow(/decimal point/)
    expect(() => parseUnits('-1', 6)).toThrow('must not be negative')
  })
  it('converts prices between ticks and quote per base', () => {
    expect(formatPrice(250000n, m, WETH, USDC)).toBe('2,500')
    expect(parsePrice('2500.01', m, WETH, USDC)).toBe(250001n)
    expect(() => parsePrice('2500.001', m, WETH, USDC)).toThrow(/at most|multiple/)
    expect(parseQty('1.5', m, WETH)).toBe(1500n)
    expect(() => parseQty('0.0005', m, WETH)).toThrow(/multiple of 0.001/)
    expect(formatQty(1500n, m, WETH)).toBe('1.5')
  })
})

describe('whole-number fields', () => {
  it('refuses anything but digits with a message and never rewrites the text', () => {
    expect(wholeNumberError('Dispute window', '600')).toBeUndefined()
    expect(wholeNumberError('Dispute window', ' 60 ')).toBeUndefined()
    expect(wholeNumberError('Maker fee', 'abc-5')).toBe(
      'Maker fee: "abc-5" is not a whole number (digits only)',
    )
    expect(wholeNumberError('Taker fee', '-5')).toMatch(/not a whole number/)
    expect(wholeNumberError('Taker fee', '1.5')).toMatch(/not a whole number/)
    expect(wholeNumberError('Taker fee', '')).toBe('Taker fee: enter a whole number')
  })
  it('names the limit when one is given, so the form refuses what the contract would revert on', () => {
    const window = { min: 1n, max: 31_536_000n, unit: 's' }
    expect(wholeNumberError('Dispute window', '31536000', window)).toBeUndefined()
    expect(wholeNumberError('Dispute window', '99999999999999999999999', window)).toBe(
      'Dispute window: at most 31,536,000 s',
    )
    expect(wholeNumberError('Dispute window', '0', window)).toBe('Dispute window: at least 1 s')
    expect(wholeNumberError('Maker fee', '0', { max: 1000n, unit: 'bps' })).toBeUndefined()
    expect(wholeNumberError('Maker fee', '20000', { max: 1000n, unit: 'bps' })).toBe(
      'Maker fee: at most 1,000 bps',
    )
  })
})

describe('order labels', () => {
  it('reads author:seq:index as the author’s name, block seq and op index', () => {
    expect(orderLabel('1:12:0', ['A', 'B'])).toBe('B #12.0')
    expect(orderLabel('5:3:2', ['A'])).toBe('#5 #3.2')
  })
})

describe('slippage as a percent', () => {
  it('rounds hundredths of a basis point half up to two decimals', () => {
    expect(formatCentiBpsAsPercent(1667n)).toBe('0.17%')
    expect(formatCentiBpsAsPercent(1649n)).toBe('0.16%')
    expect(formatCentiBpsAsPercent(0n)).toBe('0.00%')
    expect(formatCentiBpsAsPercent(5000n)).toBe('0.50%')
    expect(formatCentiBpsAsPercent(1_234_567n)).toBe('123.46%')
  })
})
