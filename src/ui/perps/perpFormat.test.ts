import { describe, expect, it } from 'vitest'
import { leverageText, paidText, ratioText } from './perpFormat.ts'

describe('perp formatting', () => {
  it('says who paid whom in a funding payment, exactly', () => {
    expect(paidText(1_500_000n, 6)).toBe('longs paid 1.5')
    expect(paidText(-250_001n, 6)).toBe('shorts paid 0.250001')
    expect(paidText(0n, 6)).toBe('none')
  })
  it('leverage and ratios in integers', () => {
    expect(leverageText(803n)).toBe('8.03×')
    expect(leverageText(undefined)).toBe('—')
    expect(ratioText(-1234n)).toBe('-12.34%')
  })
})
