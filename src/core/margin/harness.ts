import { openChannel } from '../channel.ts'
import { ETH, LEND_MARKET, LENDING_PARAMS, USDC } from '../lending/harness.ts'
import type { LendingParams } from '../lending/params.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { PERP_PARAMS } from '../perps/harness.ts'
import type { Reject } from '../reasons.ts'
import { ChannelState, type OpContext } from '../state.ts'
import { makeTestChannel, testDeposits } from '../testing.ts'

/**
 * A channel whose perps and lending pool net in one margin account (tests only; not folded): token 0 "ETH", token 1
 * "USDC" — the lending quote token and the perps' collateral; market 0 ETH/USDC spot (prices ETH for the pool),
 * market 1 the ETH/USDC perp, both tick 1 lot 1. Participants: 0 Alice, 1 Bob, 2 Carol, 3 Dave (the Liquidator
 * role), 4 the oracle of both. No trading fees, so the figures stay readable. `nets: false` makes the perp a
 * USDC/ETH market with ETH as collateral instead (the two modules then keep separate inequalities).
 */
export const PERP = 1
export function marginChannel(o: { lending?: Partial<LendingParams>; nets?: boolean; amm?: boolean } = {}) {
  const tc = makeTestChannel({
    participants: 5,
    label: 'margin',
    // without netting the perp is quoted in ETH (a perp market is quoted in its collateral token)
    markets: [
      LEND_MARKET,
      o.nets === false
        ? { base: USDC, quote: ETH, tickSize: 1n, lotSize: 1n, kind: 'perp' }
        : { base: ETH, quote: USDC, tickSize: 1n, lotSize: 1n, kind: 'perp' },
    ],
    maxLeverage: 10,
    perps: {
      ...PERP_PARAMS,
      collateralToken: o.nets === false ? ETH : USDC,
      oracle: 4,
      fundingIntervalMs: 1n << 40n,
    },
    roles: [0, 0, 0, 2, 0],
    makerFeeBps: 0n,
    takerFeeBps: 0n,
    // `amm: true`: a constant-product pool on market 0 (ETH/USDC), whose shares count in the account
    ...(o.amm ? { amm: { defaultFeeBps: 30n } } : {}),
  })
  const { config } = tc.channel
  const channel = openChannel({
    ...config,
    params: { ...config.params, lending: { ...LENDING_PARAMS, ...o.lending } },
  })
  return { ...tc, channel }
}

export function marginHarness(o: Parameters<typeof marginChannel>[0] & { amount?: bigint } = {}) {
  const tc = marginChannel(o)
  const amount = o.amount ?? 1_000_000n
  const state = new ChannelState(tc.channel)
  state.creditGenesis(testDeposits(5, 2, amount))
  const seqs = new Array<bigint>(5).fill(0n)
  const h = {
    tc,
    state,
    amount,
    time: 0n,
    apply(author: number, op: Op): Reject {
      seqs[author]! += 1n
      const ctx: OpContext = {
        author,
        seq: seqs[author]!,
        index: 0,
        height: 0,
        block: `b${author}:${seqs[author]}`,
        time: h.time,
      }
      return state.apply(op, ctx)
    },
    /** the oracle posts one price for both markets (spot prices the pool, perp marks the positions) */
    price(p: bigint): void {
      h.apply(4, { tag: OpTag.OraclePrice, market: 0, price: p })
      h.apply(4, { tag: OpTag.OraclePrice, market: PERP, price: p })
    },
    margin: (p: number, amount: bigint) => h.apply(p, { tag: OpTag.MarginDeposit, amount }),
    withdrawMargin: (p: number, amount: bigint) => h.apply(p, { tag: OpTag.MarginWithdraw, amount }),
    supply: (p: number, token: number, amount: bigint) =>
      h.apply(p, { tag: OpTag.LendSupply, token, amount }),
    withdraw: (p: number, token: number, amount: bigint) =>
      h.apply(p, { tag: OpTag.LendWithdraw, token, amount }),
    borrow: (p: number, token: number, amount: bigint) =>
      h.apply(p, { tag: OpTag.LendBorrow, token, amount }),
    perp: (p: number, side: Side, price: bigint, qty: bigint, tif: TimeInForce = TimeInForce.GTC) =>
      h.apply(p, {
        tag: OpTag.PerpPlace,
        market: PERP,
        side,
        kind: OrderKind.Limit,
        tif,
        reduceOnly: false,
        price,
        qty,
      }),
    addLiquidity: (p: number, eth: bigint, usdc: bigint) =>
      h.apply(p, { tag: OpTag.AmmAdd, market: 0, baseMax: eth, quoteMax: usdc, minShares: 0n, voteBps: 30 }),
    swap: (p: number, side: Side, amountIn: bigint) =>
      h.apply(p, { tag: OpTag.AmmSwap, market: 0, side, amountIn, minOut: 0n, deadline: (1n << 64n) - 1n }),
    liquidate: (by: number, trader: number) => h.apply(by, { tag: OpTag.Liquidate, trader, market: PERP }),
    liquidateLoan: (by: number, trader: number, debtToken: number, collateralToken: number, amount: bigint) =>
      h.apply(by, { tag: OpTag.LendLiquidate, trader, debtToken, collateralToken, amount }),
    /** Σ holdings of a token over every participant: what settlement pays out */
    total(token: number): bigint {
      let s = 0n
      for (let p = 0; p < 5; p++) s += state.holdings(p, token)
      return s
    },
  }
  return h
}

export { ETH, Side, USDC }
