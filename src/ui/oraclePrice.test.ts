import { describe, expect, it } from 'vitest'
import type { Market } from '../core/channel.ts'
import { oracleTicks } from './oraclePrice.ts'

const weth = { address: '0x0000000000000000000000000000000000000001', symbol: 'WETH', decimals: 18 } as const
const usdc = { address: '0x0000000000000000000000000000000000000002', symbol: 'USDC', decimals: 6 } as const
// lots of 0.001 WETH, ticks of 0.01 USDC per WETH (the create form's defaults)
const market: Market = { base: 0, quote: 1, tickSize: 10n, lotSize: 10n ** 15n }

describe('oracleTicks (the oracle panels’ price field)', () => {
  it('reads a price in the quote token per base token as ticks', () => {
    expect(oracleTicks('2000', 1, market, weth, usdc)).toEqual({ ticks: 200_000n })
    expect(oracleTicks('', 1, market, weth, usdc)).toEqual({})
  })
  it('says a price past what an op can carry in USDC, not in raw ticks (the panel showed 9999…900)', () => {
    const r = oracleTicks('99999999999999999999999', 1, market, weth, usdc)
    expect(r.ticks).toBeUndefined()
    expect(r.error).toBe('price out of range: at most 184,467,440,737,095,516.15 USDC')
  })
  it('says what is wrong with what is not a price', () => {
    expect(oracleTicks('abc', 1, market, weth, usdc).error).toBeDefined()
    expect(oracleTicks('-5', 1, market, weth, usdc).ticks).toBeUndefined()
  })
})
