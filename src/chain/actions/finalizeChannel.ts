import type { Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type FinalizeChannelParameters = SettlementTarget & { channelId: Hex }
export type FinalizeChannelReturnType = Hash

/**
 * Makes the pending checkpoint final once the dispute deadline has passed (chain time); anyone may call it.
 * Before the deadline it throws SettlementRevertedError ChannelSettlementDisputeOpen(deadline).
 */
export function finalizeChannel(
  client: WriteClient,
  { address, channelId }: FinalizeChannelParameters,
): Promise<FinalizeChannelReturnType> {
  return writeSettlement(client, { address, functionName: 'finalize', args: [channelId] })
}
