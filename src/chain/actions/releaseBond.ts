import type { Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type ReleaseBondParameters = SettlementTarget & { channelId: Hex }
export type ReleaseBondReturnType = Hash

/**
 * Once the channel is finalized and the evidence window has closed (`getDisputeStatus().bondsUnlockAt`, one dispute
 * window after the final deadline), moves the caller's remaining bond to its ETH pull balance (then withdraw
 * address(0)). Earlier it throws ChannelSettlementBondLocked(channelId, unlockAt).
 */
export function releaseBond(
  client: WriteClient,
  { address, channelId }: ReleaseBondParameters,
): Promise<ReleaseBondReturnType> {
  return writeSettlement(client, { address, functionName: 'releaseBond', args: [channelId] })
}
