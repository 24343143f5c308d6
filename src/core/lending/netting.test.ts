import { describe, expect, it } from 'vitest'
import { openChannel } from '../channel.ts'
import { OpTag } from '../ops.ts'
import { PERP_PARAMS } from '../perps/harness.ts'
import { Reject } from '../reasons.ts'
import { ChannelState, type OpContext } from '../state.ts'
import { makeTestChannel, testDeposits } from '../testing.ts'
import { ETH, LEND_MARKET, LENDING_PARAMS, USDC } from './harness.ts'

/**
 * A channel with perps and the lending pool. What nets: at settlement the margin account's value (perps/settlement)
 * is part of what the lending close-out starts from, so it pays a lending shortfall. What does not: inside the fold
 * the two health inequalities are separate (CONTEXT.md says why). The clock key carries both epochs.
 */
function channel() {
  const tc = makeTestChannel({
    participants: 5,
    label: 'netting',
    markets: [LEND_MARKET, { base: ETH, quote: USDC, tickSize: 1n, lotSize: 1n, kind: 'perp' }],
    maxLeverage: 10,
    perps: { ...PERP_PARAMS, collateralToken: USDC, oracle: 4, fundingIntervalMs: 5_000n },
    roles: [0, 0, 0, 2, 0],
  })
  const { config } = tc.channel
  return openChannel({ ...config, params: { ...config.params, lending: LENDING_PARAMS } })
}

describe('perps and lending in one channel', () => {
  const FUND = 1_000_000n
  const state = new ChannelState(channel())
  state.creditGenesis(testDeposits(5, 2, FUND))
  let seq = 0n
  let time = 0n
  const apply = (author: number, op: Parameters<ChannelState['apply']>[0]) => {
    seq++
    const ctx: OpContext = { author, seq, index: 0, height: 0, block: `b${seq}`, time }
    return state.apply(op, ctx)
  }
  const total = (t: number) => [0, 1, 2, 3, 4].reduce((s, p) => s + state.holdings(p, t), 0n)

  it('keys the clock by both epochs', () => {
    expect(state.timeKey(12_345n)).toBe((2n << 64n) | 12n)
    time = 12_345n
    state.timeRead = undefined
    expect(apply(1, { tag: OpTag.MarginDeposit, amount: 50_000n })).toBe(Reject.None)
    expect(state.timeRead).toBe((2n << 64n) | 12n)
  })

  it('a margin account pays a lending shortfall at settlement; every token is conserved', () => {
    expect(apply(4, { tag: OpTag.OraclePrice, market: 0, price: 2_000n })).toBe(Reject.None)
    expect(apply(4, { tag: OpTag.OraclePrice, market: 1, price: 2_000n })).toBe(Reject.None)
    expect(state.lending!.spotOracle[0]).toBe(2_000n)
    expect(state.perps!.oracle[1]).toBe(2_000n)
    expect(apply(2, { tag: OpTag.LendSupply, token: ETH, amount: 100n })).toBe(Reject.None)
    expect(apply(1, { tag: OpTag.LendSupply, token: USDC, amount: 15_000n })).toBe(Reject.None)
    expect(apply(1, { tag: OpTag.LendBorrow, token: ETH, amount: 6n })).toBe(Reject.None)
    // Bob sends away every ETH and USDC he holds in the ledger; ETH doubles
    expect(apply(1, { tag: OpTag.Transfer, to: 0, token: ETH, amount: FUND + 6n })).toBe(Reject.None)
    expect(apply(1, { tag: OpTag.Transfer, to: 0, token: USDC, amount: FUND - 65_000n })).toBe(Reject.None)
    expect(apply(4, { tag: OpTag.OraclePrice, market: 0, price: 4_000n })).toBe(Reject.None)
    // 6 ETH at 4,000 = 24,000 USDC owed; Bob holds 15,000 of supply and 50,000 of margin
    expect(state.baseHoldings(1, USDC)).toBe(50_000n)
    expect(state.holdings(1, USDC)).toBe(50_000n + 15_000n - 24_000n)
    expect(state.holdings(2, USDC)).toBe(FUND + 24_000n)
    expect(total(ETH)).toBe(5n * FUND)
    expect(total(USDC)).toBe(5n * FUND)
  })
})
