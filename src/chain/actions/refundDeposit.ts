import type { Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type RefundDepositParameters = SettlementTarget & {
  channelId: Hex
  /** a deposit record index at or above the finalized checkpoint's `depositCount` */
  index: bigint
}
export type RefundDepositReturnType = Hash

/**
 * After finalization, credits a deposit the final checkpoint did not credit (index ≥ its `depositCount`) back to its
 * depositor's pull balance (then `withdraw`). Anyone may send it; the money always goes to the depositor. Throws
 * ChannelSettlementDepositCredited for a credited record, ChannelSettlementAlreadyRefunded the second time.
 */
export function refundDeposit(
  client: WriteClient,
  { address, channelId, index }: RefundDepositParameters,
): Promise<RefundDepositReturnType> {
  return writeSettlement(client, { address, functionName: 'refundDeposit', args: [channelId, index] })
}
