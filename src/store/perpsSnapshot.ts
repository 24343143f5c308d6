import { Permission, ROLE_PERMISSIONS } from '../core/channel.ts'
import { nets } from '../core/margin/account.ts'
import {
  type LiquidatableRow,
  liquidatablePositions,
  type PerpAccountView,
  type PerpMarketView,
  type PerpPositionView,
  perpAccountOf,
  perpMarketsOf,
  perpPositionsOf,
} from '../core/perps/views.ts'
import type { Replica } from '../core/replica.ts'
import { type BookDepth, bookDepth } from '../core/views.ts'

/**
 * What the perps screen shows, from one moment of the replica: the pending view (every op applied, what the
 * screen acts on) beside the final one (the committed prefix, what can no longer change).
 */
export type PerpsSnapshot = {
  me: number
  /** the participant allowed to post index prices */
  oracle: number
  /** whether this participant may send Liquidate ops (its role, or the channel lets anyone) */
  canLiquidate: boolean
  /** the channel clock at the last commit (ms): what a local op is applied with */
  clock: bigint
  markets: PerpMarketView[]
  /** book depth of each perp market, by market index */
  depth: Record<number, BookDepth>
  positions: PerpPositionView[]
  finalPositions: PerpPositionView[]
  account: PerpAccountView
  finalAccount: PerpAccountView
  /** the collateral token's available ledger balance (what a margin deposit takes), pending and final */
  available: bigint
  finalAvailable: bigint
  /** positions of accounts below maintenance margin, pending view */
  liquidatable: LiquidatableRow[]
  /**
   * Whether the perps net with the lending pool in one margin account (margin/account.ts): then the account's
   * lendingCollateral (supplies and AMM pool shares at their thresholds) and lendingDebt enter its health, and the
   * screen shows them.
   */
  nets: boolean
}

/** The perps snapshot for participant `me`; undefined in a channel without perp markets. */
export function takePerpsSnapshot(replica: Replica, me: number, depthLevels = 10): PerpsSnapshot | undefined {
  const state = replica.state
  const ps = state.perps
  if (!ps) return undefined
  const final = replica.finalState()
  const { config } = state.channel
  const role = config.participants[me]?.role ?? 0
  const depth: Record<number, BookDepth> = {}
  for (const m of ps.perpMarkets) depth[m] = bookDepth(state, m, depthLevels, me)
  const collateral = ps.params.collateralToken
  return {
    me,
    oracle: ps.params.oracle,
    canLiquidate: ps.params.openLiquidation || ((ROLE_PERMISSIONS[role] ?? 0) & Permission.Liquidate) !== 0,
    clock: replica.clock,
    markets: perpMarketsOf(state),
    depth,
    positions: perpPositionsOf(state, me),
    finalPositions: perpPositionsOf(final, me),
    account: perpAccountOf(state, me)!,
    finalAccount: perpAccountOf(final, me)!,
    available: state.avail[me * state.T + collateral]!,
    finalAvailable: final.avail[me * final.T + collateral]!,
    liquidatable: liquidatablePositions(state),
    nets: nets(state),
  }
}
