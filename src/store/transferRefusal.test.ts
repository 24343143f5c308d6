import { describe, expect, it } from 'vitest'
import { transferRefusal } from './transferRefusal.ts'

describe('transfer checks before signing', () => {
  const fmt = (v: bigint) => `${v / 10n ** 6n} USDC`
  it('refuses more than the channel balance available, in readable amounts', () => {
    expect(transferRefusal(60n * 10n ** 6n, 50n * 10n ** 6n, fmt)).toBe(
      '60 USDC is more than you hold in the channel (50 USDC available)',
    )
    expect(transferRefusal(50n * 10n ** 6n, 50n * 10n ** 6n, fmt)).toBeUndefined()
    expect(transferRefusal(1n, undefined, fmt)).toBe(
      '0 USDC is more than you hold in the channel (0 USDC available)',
    )
    expect(transferRefusal(0n, 5n, fmt)).toBe('amount must be above zero')
  })
})
