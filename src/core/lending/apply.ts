import { Permission } from '../channel.ts'
import {
  type LendBorrowOp,
  type LendLiquidateOp,
  type LendRepayOp,
  type LendSupplyOp,
  type LendWithdrawOp,
  OpTag,
} from '../ops.ts'
import { Reject } from '../reasons.ts'
import type { LendingHost, LendingState } from './engine.ts'
import { liquidateLoan } from './liquidation.ts'

export type LendOp = LendSupplyOp | LendWithdrawOp | LendBorrowOp | LendRepayOp | LendLiquidateOp

/**
 * One lending op at its position, after the pools accrued interest up to the op's clock epoch (the caller does
 * that, accepted or not, like perps funding). Supply, withdraw, borrow and repay need the Funds permission;
 * liquidating needs the Liquidator role unless `openLiquidation`, and never the author's own account.
 */
export function applyLendingOp(
  ls: LendingState,
  host: LendingHost & { readonly P: number },
  op: LendOp,
  author: number,
  perms: number,
): Reject {
  if (op.tag === OpTag.LendLiquidate) {
    if (!(perms & Permission.Liquidate) && !ls.params.openLiquidation) return Reject.NotPermitted
    if (op.trader >= host.P) return Reject.UnknownParticipant
    if (op.trader === author) return Reject.NotPermitted
    if (op.debtToken >= host.T || op.collateralToken >= host.T) return Reject.UnknownToken
    const r = liquidateLoan(ls, host, author, op.trader, op.debtToken, op.collateralToken, op.amount)
    return typeof r === 'number' ? r : Reject.None
  }
  if (!(perms & Permission.Funds)) return Reject.NotPermitted
  if (op.token >= host.T) return Reject.UnknownToken
  switch (op.tag) {
    case OpTag.LendSupply:
      return ls.supply(host, author, op.token, op.amount)
    case OpTag.LendWithdraw:
      return ls.withdraw(host, author, op.token, op.amount)
    case OpTag.LendBorrow:
      return ls.borrow(host, author, op.token, op.amount)
    case OpTag.LendRepay:
      return ls.repay(host, author, op.token, op.amount)
  }
}
