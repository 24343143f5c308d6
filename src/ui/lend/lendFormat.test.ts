import { describe, expect, it } from 'vitest'
import { outcomeMessage } from '../trading/SubmitStatus.tsx'
import { bpsText, healthText, priceText } from './lendFormat.ts'

describe('lend formatting', () => {
  it('formats rates, health and prices', () => {
    expect(bpsText(1_234n)).toBe('12.34%')
    expect(bpsText(5n)).toBe('0.05%')
    expect(healthText(10_625n)).toBe('1.06')
    expect(healthText(10_000n)).toBe('1.00')
    expect(healthText(undefined)).toBe('—')
    const eth = { address: '0x01' as const, symbol: 'ETH', decimals: 18 }
    const usdc = { address: '0x02' as const, symbol: 'USDC', decimals: 6 }
    // 2,000 USDC per ETH: 2·10^9 USDC units per 10^18 ETH units
    expect(priceText({ num: 2_000_000_000n, den: 10n ** 18n }, eth, usdc)).toBe('2,000')
    expect(priceText(undefined, eth, usdc)).toBe('no price')
  })
  it('says why an op was refused or rejected', () => {
    expect(outcomeMessage({ ok: true, result: 52 } as never, 'Borrow').text).toMatch(
      /^Rejected: above the loan-to-value/,
    )
    expect(outcomeMessage({ ok: true, seq: 7n, index: 0, result: 0 }, 'Borrow')).toEqual({
      ok: true,
      text: 'Borrow',
      seq: 7n,
    })
  })
})
