import { Permission, ROLE_PERMISSIONS } from '../core/channel.ts'
import { liquidatableLoans } from '../core/lending/views.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { liquidatablePositions } from '../core/perps/views.ts'
import { Reject } from '../core/reasons.ts'
import type { ChannelState } from '../core/state.ts'

/**
 * Whether participant `me` may liquidate in this channel: the Liquidator role, or anyone where the perps or the
 * lending parameters say `openLiquidation` (the fold's own permission rule, state.ts and lending/apply.ts).
 */
export function mayLiquidate(state: ChannelState, me: number): { perps: boolean; lending: boolean } {
  const config = state.channel.config
  const role = config.participants[me]?.role ?? 0
  const byRole = ((ROLE_PERMISSIONS[role] ?? 0) & Permission.Liquidate) !== 0
  return {
    perps: state.perps !== undefined && (byRole || state.perps.params.openLiquidation),
    lending: state.lending !== undefined && (byRole || state.lending.params.openLiquidation),
  }
}

export type LiquidationOpsParameters = {
  /** the state the participant sees now (pending ops included) */
  state: ChannelState
  /** the channel clock a local op is applied with: the replica's clock of the last committed leader */
  clock: bigint
  me: number
}

/**
 * The liquidator's next ops: every unhealthy perp account (core `liquidatablePositions`, the fold's maintenance
 * check) and every loan below health 1 (core `liquidatableLoans`) of another participant, each kept only if the
 * fold accepts it. The candidates are applied one after another to a copy of `state` with the fold itself
 * (`ChannelState.apply`, as `previewPerpOp` / `previewLendOp` do), so a second liquidation of an account the first
 * one already closed, a take-over beyond the liquidator's own initial margin, or a repayment its balance cannot
 * cover is never sent; only a concurrent op ordered before it can still make the fold refuse it (a race).
 *
 * Perps: the liquidator takes the position over at mark, so it needs margin; with none and collateral tokens on its
 * ledger it first moves half of them into its margin account (the other half stays for repaying loans). Lending:
 * repays the loan's largest debt, up to what the liquidator holds of that token, and seizes its largest supply.
 */
export function liquidationOps({ state, clock, me }: LiquidationOpsParameters): Op[] {
  const may = mayLiquidate(state, me)
  if (!may.perps && !may.lending) return []
  const copy = state.clone()
  // the clone shares the execution log; a dry run must never append to the original's
  copy.trades = []
  let index = 0
  const out: Op[] = []
  const accepted = (op: Op) =>
    copy.apply(op, { author: me, seq: 0n, index: index++, height: 0, block: 'liquidator', time: clock }) ===
    Reject.None
  const avail = (token: number) => copy.avail[me * copy.T + token] ?? 0n
  const ps = copy.perps
  if (may.perps && ps) {
    const rows = liquidatablePositions(copy).filter((r) => r.trader !== me)
    if (rows.length > 0 && ps.margin[me] === 0n) {
      const half = avail(ps.params.collateralToken) / 2n
      const fund: Op = { tag: OpTag.MarginDeposit, amount: half }
      if (half > 0n && accepted(fund)) out.push(fund)
    }
    for (const r of rows) {
      const op: Op = { tag: OpTag.Liquidate, trader: r.trader, market: r.market }
      if (accepted(op)) out.push(op)
    }
  }
  if (may.lending && copy.lending) {
    for (const loan of liquidatableLoans(copy)) {
      if (loan.trader === me) continue
      const debt = loan.debts[loan.debtToken] ?? 0n
      const have = avail(loan.debtToken)
      const amount = debt < have ? debt : have
      if (amount === 0n) continue
      const op: Op = {
        tag: OpTag.LendLiquidate,
        trader: loan.trader,
        debtToken: loan.debtToken,
        collateralToken: loan.collateralToken,
        amount,
      }
      if (accepted(op)) out.push(op)
    }
  }
  return out
}
