import type { Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type EscapeChannelParameters = SettlementTarget & { channelId: Hex }
export type EscapeChannelReturnType = Hash

/**
 * Liveness escape, for a channel where no quorum can be reached any more: ends trading (deposits stop) with no
 * checkpoint and a long deadline (at least 30 days, at least two dispute windows). A quorum checkpoint proposed
 * before it replaces the escape and settlement runs as usual; otherwise, after `finalizeChannel`, every deposit is
 * refundable with `refundDeposit`. Participants only; throws ChannelSettlementChannelNotOpen once settling.
 */
export function escapeChannel(
  client: WriteClient,
  { address, channelId }: EscapeChannelParameters,
): Promise<EscapeChannelReturnType> {
  return writeSettlement(client, { address, functionName: 'escape', args: [channelId] })
}
