import { describe, expect, it } from 'vitest'
import { lendingConfigError } from '../../core/lending/params.ts'
import { lendingParamsOf } from './lendingForm.ts'

describe('the create form lending pool', () => {
  it('is off by default and valid when on', () => {
    expect(lendingParamsOf({ enabled: false, oracle: 0 }, 0, 1)).toBeUndefined()
    const lending = lendingParamsOf({ enabled: true, oracle: 1 }, 0, 1)!
    const config = {
      markets: [{ base: 0, quote: 1, tickSize: 1n, lotSize: 1n }],
      tokens: ['0x01', '0x02'] as `0x${string}`[],
      participants: [{}, {}],
      params: {
        minStake: 0n,
        disputeWindow: 1n,
        maxLeverage: 1,
        makerFeeBps: 0n,
        takerFeeBps: 0n,
        feeRecipient: 0,
        maxOpenOrders: 1,
        lending,
      },
    }
    expect(lendingConfigError(config)).toBeUndefined()
    expect(lending.tokens.map((k) => k.token)).toEqual([1, 0])
  })
})
