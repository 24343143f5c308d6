import type { Market, PerpParams } from '../channel.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { PERP_MARKET, PERP_PARAMS } from '../perps/harness.ts'
import type { Rng } from './rng.ts'

/**
 * The op modules a simulated channel mixes: `spot` (ledger and book), `perps` (oracle, margin, perp orders),
 * `lending` (supply, withdraw, borrow, repay, liquidate: lendingOps.ts), `amm` (pool liquidity, swaps, fee votes:
 * ammOps.ts).
 */
export const MIXES = ['spot', 'perps', 'lending', 'amm'] as const
export type Mix = (typeof MIXES)[number]

/** The simulated perp market (market 1, quoted in token 1): participant 0 (always honest) is the oracle. */
export const SIM_PERP_MARKET: Market = PERP_MARKET
export const SIM_PERP_PARAMS: PerpParams = { ...PERP_PARAMS, oracle: 0, openLiquidation: true }

/**
 * A random perp op for `author` (integers only): the oracle posts index prices around 100, everyone moves margin
 * in and out, places limit (some reduce-only, IOC or post-only) and market perp orders around the index, and tries
 * to liquidate a random participant (refused unless that account is below maintenance margin).
 */
export function randomPerpOp(rng: Rng, author: number, participants: number): Op {
  const market = 1
  const x = rng.int(0, 100)
  const price = BigInt(rng.int(90, 111))
  const qty = BigInt(rng.int(1, 50))
  const side = rng.int(0, 2) === 0 ? Side.Buy : Side.Sell
  if (author === SIM_PERP_PARAMS.oracle && x < 25) return { tag: OpTag.OraclePrice, market, price }
  if (x < 15) return { tag: OpTag.MarginDeposit, amount: BigInt(rng.int(100, 5000)) }
  if (x < 20) return { tag: OpTag.MarginWithdraw, amount: BigInt(rng.int(1, 500)) }
  if (x < 70) {
    const t = rng.int(0, 10)
    const tif = t < 7 ? TimeInForce.GTC : t < 9 ? TimeInForce.IOC : TimeInForce.PostOnly
    const reduceOnly = rng.int(0, 8) === 0
    return { tag: OpTag.PerpPlace, market, side, kind: OrderKind.Limit, tif, reduceOnly, price, qty }
  }
  if (x < 90) {
    const worst = side === Side.Buy ? 120n : 80n
    return {
      tag: OpTag.PerpPlace,
      market,
      side,
      kind: OrderKind.Market,
      tif: TimeInForce.IOC,
      reduceOnly: rng.int(0, 4) === 0,
      price: worst,
      qty,
    }
  }
  return { tag: OpTag.Liquidate, trader: rng.int(0, participants), market }
}
