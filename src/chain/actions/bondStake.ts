import type { Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type BondStakeParameters = SettlementTarget & { channelId: Hex /** wei */; amount: bigint }
export type BondStakeReturnType = Hash

/**
 * Adds `amount` wei to the client account's bond in the channel: what a slash for equivocation takes. Refused
 * after finalization and for a participant already slashed.
 */
export function bondStake(
  client: WriteClient,
  { address, channelId, amount }: BondStakeParameters,
): Promise<BondStakeReturnType> {
  return writeSettlement(client, { address, functionName: 'bond', args: [channelId], value: amount })
}
