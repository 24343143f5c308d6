import type { Market, PerpParams } from '../channel.ts'
import { type Op, OpTag, OrderKind, type PerpPlaceOp, Side, TimeInForce } from '../ops.ts'
import type { Reject } from '../reasons.ts'
import { ChannelState, type OpContext } from '../state.ts'
import { makeTestChannel, TEST_MARKET, testDeposits } from '../testing.ts'

/**
 * A perps test channel (tests and the simulator): token 1 is the collateral, market 0 spot, market 1 a perp with
 * tick 1; participant 3 is the oracle, participant 2 the Liquidator. Not folded.
 */
export const PERP_MARKET: Market = { base: 0, quote: 1, tickSize: 1n, lotSize: 1n, kind: 'perp' }
export const PERP_PARAMS: PerpParams = {
  collateralToken: 1,
  oracle: 3,
  maintenanceMarginBps: 500n,
  liquidationFeeBps: 100n,
  fundingIntervalMs: 1000n,
  fundingFactorBps: 1000n,
  fundingCapBps: 50n,
  openLiquidation: false,
}

export function perpsChannel(
  o: { participants?: number; maxLeverage?: number; perps?: Partial<PerpParams> } = {},
) {
  const P = o.participants ?? 5
  return makeTestChannel({
    participants: P,
    label: 'perps',
    markets: [TEST_MARKET, PERP_MARKET],
    maxLeverage: o.maxLeverage ?? 10,
    perps: { ...PERP_PARAMS, ...o.perps },
    roles: Array.from({ length: P }, (_, i) => (i === 2 ? 2 : 0)),
    makerFeeBps: 2n,
    takerFeeBps: 5n,
  })
}

/** A funded ChannelState and an op runner with a settable clock. */
export function perpsHarness(o: Parameters<typeof perpsChannel>[0] & { amount?: bigint } = {}) {
  const tc = perpsChannel(o)
  const state = new ChannelState(tc.channel)
  state.creditGenesis(testDeposits(tc.members.length, 2, o.amount ?? 1_000_000n))
  const seqs = new Array<bigint>(tc.members.length).fill(0n)
  const h = {
    tc,
    state,
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
    order(author: number, p: Partial<PerpPlaceOp> & { side: Side; price: bigint; qty: bigint }): Reject {
      return h.apply(author, {
        tag: OpTag.PerpPlace,
        market: 1,
        kind: OrderKind.Limit,
        tif: TimeInForce.GTC,
        reduceOnly: false,
        ...p,
      })
    },
    oracle(price: bigint): Reject {
      return h.apply(3, { tag: OpTag.OraclePrice, market: 1, price })
    },
    margin(author: number, amount: bigint): Reject {
      return h.apply(author, { tag: OpTag.MarginDeposit, amount })
    },
  }
  return h
}

export { Side }
