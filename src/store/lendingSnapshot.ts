import { Permission, ROLE_PERMISSIONS } from '../core/channel.ts'
import {
  type LendAccountView,
  type LendMarketView,
  type LiquidatableLoan,
  lendAccountOf,
  lendMarketsOf,
  liquidatableLoans,
  previewLendOp,
} from '../core/lending/views.ts'
import type { Op } from '../core/ops.ts'
import type { Reject } from '../core/reasons.ts'
import type { Replica } from '../core/replica.ts'

/**
 * What the Lend screen shows, from one moment of the replica: the pending view (every op applied, what the screen
 * acts on) beside the final one (the committed prefix, what can no longer change).
 */
export type LendingSnapshot = {
  me: number
  /** the participant that posts spot prices */
  oracle: number
  /** the token values are expressed in */
  quoteToken: number
  /** whether this participant may send LendLiquidate ops (its role, or the channel lets anyone) */
  canLiquidate: boolean
  /** the channel clock at the last commit (ms): what a local op is applied with */
  clock: bigint
  markets: LendMarketView[]
  account: LendAccountView
  finalAccount: LendAccountView
  /** accounts below health 1, pending view (without this participant: nobody liquidates itself) */
  liquidatable: LiquidatableLoan[]
}

/** The lending snapshot for participant `me`; undefined in a channel without a lending pool. */
export function takeLendingSnapshot(replica: Replica, me: number): LendingSnapshot | undefined {
  const state = replica.state
  const ls = state.lending
  if (!ls) return undefined
  const final = replica.finalState()
  const role = state.channel.config.participants[me]?.role ?? 0
  return {
    me,
    oracle: ls.params.oracle,
    quoteToken: ls.params.quoteToken,
    canLiquidate: ls.params.openLiquidation || ((ROLE_PERMISSIONS[role] ?? 0) & Permission.Liquidate) !== 0,
    clock: replica.clock,
    markets: lendMarketsOf(state),
    account: lendAccountOf(state, me)!,
    finalAccount: lendAccountOf(final, me)!,
    liquidatable: liquidatableLoans(state).filter((l) => l.trader !== me),
  }
}

/** The fold's verdict on `op` by `me` now (pending state, the replica's clock): shown before anything is sent. */
export function previewLending(replica: Replica, me: number, op: Op): Reject {
  return previewLendOp(replica.state, op, me, replica.clock)
}
