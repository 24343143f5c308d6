import { OpTag } from './ops.ts'

/**
 * What the settlement contract says about the channel, as far as trading is concerned:
 * - `open`: trading, deposits and transfers as usual
 * - `disputing`: a checkpoint was proposed on chain; the channel's balances are being settled (challenges with a
 *   newer checkpoint are still possible, and `finalizable` counts as disputing until someone finalizes)
 * - `finalized`: the contract pays out the final checkpoint; the channel's balances are history
 * - `unknown`: not read yet (treated as open: the chain has the last word at settlement anyway)
 */
export type SettlementPhase = 'unknown' | 'open' | 'disputing' | 'finalizable' | 'finalized'

export type OpPermission = { allowed: true } | { allowed: false; reason: string }

/** Ops that move or commit funds: refused once settlement has started. */
const FUNDS_OPS = new Set<number>([
  OpTag.Deposit,
  // enables trading (minStake), which has stopped
  OpTag.StakeAttest,
  OpTag.Withdraw,
  OpTag.Transfer,
  OpTag.Lock,
  OpTag.Place,
  OpTag.OraclePrice,
  OpTag.PerpPlace,
  OpTag.MarginDeposit,
  OpTag.MarginWithdraw,
  OpTag.Liquidate,
  OpTag.LendSupply,
  OpTag.LendWithdraw,
  OpTag.LendBorrow,
  OpTag.LendRepay,
  OpTag.LendLiquidate,
  OpTag.AmmAdd,
  OpTag.AmmRemove,
  OpTag.AmmSwap,
  OpTag.AmmVote,
  OpTag.AmmShareTransfer,
])

export const DISPUTE_REASON =
  'the channel is settling on chain (a checkpoint was proposed): no new orders, transfers or deposits'
export const FINALIZED_REASON =
  'the channel is finalized on chain: its balances are paid out by the contract (see Settlement)'

/**
 * Which ops a participant may submit in `phase`. While disputing, cancels and unlocks (which only release funds),
 * checkpoint signatures and checkpoint requests (a newer checkpoint is how a proposal is challenged) and key rotations
 * (a key that leaks during a dispute must still be replaceable) still go;
 * everything that moves or commits funds is refused. Once finalized, nothing is submitted.
 */
export function opPermission(phase: SettlementPhase, tag: number): OpPermission {
  if (phase === 'finalized') return { allowed: false, reason: FINALIZED_REASON }
  if ((phase === 'disputing' || phase === 'finalizable') && FUNDS_OPS.has(tag))
    return { allowed: false, reason: DISPUTE_REASON }
  return { allowed: true }
}

/** The banner for a phase, or undefined while the channel trades normally. */
export function phaseNotice(phase: SettlementPhase): string | undefined {
  if (phase === 'finalized')
    return 'Channel finalized on chain — balances are paid out by the contract (see Settlement). Trading is closed.'
  if (phase === 'disputing' || phase === 'finalizable')
    return 'Channel settling on chain — a checkpoint was proposed. New orders, transfers and deposits are closed.'
  return undefined
}
