import { type Channel, openChannel } from '../channel.ts'
import { ETH_RESERVE, USDC_RESERVE } from '../lending/harness.ts'
import type { LendingParams } from '../lending/params.ts'
import { type Op, OpTag } from '../ops.ts'
import type { Rng } from './rng.ts'

/**
 * The lending mix of the simulator: a pool over the two test tokens of market 0 (token 1 the quote, token 0 priced
 * by market 0's mark), participant 0 (always honest) the spot-price oracle, anyone may liquidate. `withLending`
 * adds it to a test channel (the params are not part of the channelId, so its authorisations stay valid).
 */
export const SIM_LENDING_PARAMS: LendingParams = {
  quoteToken: 1,
  oracle: 0,
  accrualIntervalMs: 1_000n,
  liquidationBonusBps: 500n,
  openLiquidation: true,
  tokens: [
    { ...USDC_RESERVE, token: 1 },
    { ...ETH_RESERVE, token: 0, market: 0 },
  ],
}

export function withLending(channel: Channel): Channel {
  const { config } = channel
  return openChannel({ ...config, params: { ...config.params, lending: SIM_LENDING_PARAMS } })
}

/**
 * A random lending op for `author` (integers only): the oracle posts spot prices around 100 ticks; everyone
 * supplies, withdraws, borrows and repays either token, and tries to liquidate a random participant (refused
 * unless it is below health 1). Amounts span refusals (above the limits) and acceptances.
 */
export function randomLendOp(rng: Rng, author: number, participants: number): Op {
  const x = rng.int(0, 100)
  const token = rng.int(0, 2)
  const amount = BigInt(rng.int(1, 200_000))
  if (author === SIM_LENDING_PARAMS.oracle && x < 20)
    return { tag: OpTag.OraclePrice, market: 0, price: BigInt(rng.int(80, 121)) }
  if (x < 45) return { tag: OpTag.LendSupply, token, amount }
  if (x < 55) return { tag: OpTag.LendWithdraw, token, amount }
  if (x < 80) return { tag: OpTag.LendBorrow, token, amount }
  if (x < 92) return { tag: OpTag.LendRepay, token, amount }
  return {
    tag: OpTag.LendLiquidate,
    trader: rng.int(0, participants),
    debtToken: token,
    collateralToken: 1 - token,
    amount: BigInt(rng.int(1, 1_000_000)),
  }
}
