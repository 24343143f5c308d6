import { describe, expect, it } from 'vitest'
import { depositRefusal, shareOf } from './deposit.ts'

describe('deposit checks before the wallet prompt', () => {
  const fmt = (v: bigint) => `${v / 10n ** 6n} USDC`
  it('refuses more than the wallet holds, in readable amounts, and nothing at zero', () => {
    expect(depositRefusal(60_000n * 10n ** 6n, 50_000n * 10n ** 6n, fmt)).toBe(
      '60000 USDC is more than your wallet holds (50000 USDC)',
    )
    expect(depositRefusal(50_000n * 10n ** 6n, 50_000n * 10n ** 6n, fmt)).toBeUndefined()
    expect(depositRefusal(0n, 5n, fmt)).toBe('amount must be above zero')
    // balance not read yet: the contract and the wallet decide
    expect(depositRefusal(5n, undefined, fmt)).toBeUndefined()
  })
  it('percent shortcuts round down and Max is the whole balance', () => {
    expect(shareOf(1001n, 25)).toBe(250n)
    expect(shareOf(1001n, 50)).toBe(500n)
    expect(shareOf(1001n, 100)).toBe(1001n)
    expect(shareOf(0n, 75)).toBe(0n)
  })
})
