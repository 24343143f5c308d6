import { type Market, openChannel } from '../channel.ts'
import type { Op } from '../ops.ts'
import type { Reject } from '../reasons.ts'
import { ChannelState, type OpContext } from '../state.ts'
import { makeTestChannel, testDeposits } from '../testing.ts'
import type { LendingParams, LendingToken } from './params.ts'

/**
 * A lending test channel (tests and the simulator): token 0 is "ETH", token 1 "USDC" (the quote token); market 0
 * is ETH/USDC spot with tick 1 and lot 1, so a price in ticks is USDC units per ETH unit. Participants: 0 Alice (also
 * the fee recipient), 1 Bob, 2 Carol, 3 Dave (the Liquidator role), 4 the oracle.
 */
export const ETH = 0
export const USDC = 1
export const LEND_MARKET: Market = { base: ETH, quote: USDC, tickSize: 1n, lotSize: 1n }
export const USDC_RESERVE: LendingToken = {
  token: USDC,
  ltvBps: 8_000n,
  liquidationThresholdBps: 8_500n,
  baseRateBps: 0n,
  slope1Bps: 400n,
  slope2Bps: 6_000n,
  kinkBps: 8_000n,
  reserveFactorBps: 1_000n,
}
export const ETH_RESERVE: LendingToken = {
  token: ETH,
  market: 0,
  ltvBps: 7_500n,
  liquidationThresholdBps: 8_000n,
  baseRateBps: 100n,
  slope1Bps: 700n,
  slope2Bps: 30_000n,
  kinkBps: 8_000n,
  reserveFactorBps: 1_000n,
}
export const LENDING_PARAMS: LendingParams = {
  quoteToken: USDC,
  oracle: 4,
  accrualIntervalMs: 1_000n,
  liquidationBonusBps: 500n,
  openLiquidation: false,
  tokens: [USDC_RESERVE, ETH_RESERVE],
}

export function lendingChannel(o: { participants?: number; lending?: Partial<LendingParams> } = {}) {
  const P = o.participants ?? 5
  const tc = makeTestChannel({
    participants: P,
    label: 'lending',
    markets: [LEND_MARKET],
    roles: Array.from({ length: P }, (_, i) => (i === 3 ? 2 : 0)),
  })
  const { config } = tc.channel
  // the lending params are not part of the channel id: the authorisations stay valid
  const channel = openChannel({
    ...config,
    params: { ...config.params, lending: { ...LENDING_PARAMS, ...o.lending } },
  })
  return { ...tc, channel }
}

/** A funded ChannelState (every participant holds `amount` of each token) and an op runner with a settable clock. */
export function lendingHarness(o: Parameters<typeof lendingChannel>[0] & { amount?: bigint } = {}) {
  const tc = lendingChannel(o)
  const state = new ChannelState(tc.channel)
  state.creditGenesis(testDeposits(tc.members.length, 2, o.amount ?? 1_000_000n))
  const seqs = new Array<bigint>(tc.members.length).fill(0n)
  const h = {
    tc,
    state,
    ls: state.lending!,
    time: 0n,
    ctx(author: number): OpContext {
      seqs[author]! += 1n
      return {
        author,
        seq: seqs[author]!,
        index: 0,
        height: 0,
        block: `b${author}:${seqs[author]}`,
        time: h.time,
      }
    },
    apply(author: number, op: Op): Reject {
      return state.apply(op, h.ctx(author))
    },
    supply: (p: number, token: number, amount: bigint) => h.apply(p, { tag: 0x50, token, amount }),
    withdraw: (p: number, token: number, amount: bigint) => h.apply(p, { tag: 0x51, token, amount }),
    borrow: (p: number, token: number, amount: bigint) => h.apply(p, { tag: 0x52, token, amount }),
    repay: (p: number, token: number, amount: bigint) => h.apply(p, { tag: 0x53, token, amount }),
    liquidate: (by: number, trader: number, debtToken: number, collateralToken: number, amount: bigint) =>
      h.apply(by, { tag: 0x54, trader, debtToken, collateralToken, amount }),
    oracle: (price: bigint) => h.apply(4, { tag: 0x30, market: 0, price }),
    /** Σ holdings of a token over every participant (what settlement pays out) */
    total(token: number): bigint {
      let s = 0n
      for (let p = 0; p < tc.members.length; p++) s += state.holdings(p, token)
      return s
    },
  }
  return h
}
