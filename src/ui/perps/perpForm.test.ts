import { describe, expect, it } from 'vitest'
import { ChannelConfigError, validatePerps } from '../../core/channel.ts'
import type { TokenInfo } from '../format.ts'
import { DEFAULT_PERP_FIELDS, type PerpFields, perpDraftOf } from './perpForm.ts'

const tokens: TokenInfo[] = [
  { address: '0x1000000000000000000000000000000000000001', symbol: 'WETH', decimals: 18 },
  { address: '0x1000000000000000000000000000000000000002', symbol: 'USDC', decimals: 6 },
]
const spot = { base: 0, quote: 1, tickSize: 10n, lotSize: 10n ** 15n }
const fields = (f: Partial<PerpFields> = {}): PerpFields => ({
  ...DEFAULT_PERP_FIELDS,
  enabled: true,
  underlying: 0,
  collateral: 1,
  ...f,
})

describe('the create form’s perp market', () => {
  it('turns the defaults into a perp market and params the channel accepts', () => {
    const r = perpDraftOf(fields({ oracle: 2 }), tokens, 3, spot)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.market).toEqual({ base: 0, quote: 1, lotSize: 10n ** 15n, tickSize: 10n, kind: 'perp' })
    expect(r.value.maxLeverage).toBe(10)
    expect(r.value.perps).toMatchObject({ collateralToken: 1, oracle: 2, fundingIntervalMs: 3_600_000n })
    expect(() =>
      validatePerps({
        markets: [spot, r.value.market],
        tokens: tokens.map((t) => t.address),
        participants: [1, 2, 3],
        params: {
          minStake: 0n,
          disputeWindow: 1n,
          maxLeverage: r.value.maxLeverage,
          makerFeeBps: 0n,
          takerFeeBps: 0n,
          feeRecipient: 0,
          maxOpenOrders: 1,
          perps: r.value.perps,
        },
      }),
    ).not.toThrow(ChannelConfigError)
  })
  it('refuses bad fields with a message naming each', () => {
    const errs = (f: Partial<PerpFields>) => {
      const r = perpDraftOf(fields(f), tokens, 3, spot)
      return r.ok ? [] : r.errors
    }
    expect(errs({ maxLeverage: '10x', fundingCapBps: '' })).toEqual([
      'Max leverage: "10x" is not a whole number (digits only)',
      'Funding cap: enter a whole number',
    ])
    expect(errs({ maxLeverage: '0' })).toEqual(['Max leverage: from 1 to 1000'])
    expect(errs({ maintenanceMarginBps: '1000' })).toEqual([
      'Maintenance margin: must be above 0 and below the initial margin at 10× (1000 bps)',
    ])
    expect(errs({ collateral: 0 })).toEqual(['Perp market: the underlying and the collateral must differ'])
    expect(errs({ lot: '0.0000000000000000001' })[0]).toMatch(/^Perp lot: at most 18 decimals/)
    expect(errs({ fundingIntervalSec: '0' })).toEqual(['Funding interval: must be at least 1 s'])
    expect(errs({ fundingFactorBps: '20000' })).toEqual(['Funding factor: out of range'])
    expect(errs({ oracle: 5 })).toEqual(['Oracle: not a participant index'])
  })
})
