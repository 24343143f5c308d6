import { type Hash, type Hex, toHex } from 'viem'
import { encodeOp } from '../../core/opCodec.ts'
import type { Op } from '../../core/ops.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type ForceIncludeParameters = SettlementTarget & {
  channelId: Hex
  /** one core op (not a checkpoint op nor a ForcedAttest); encoded with the core's codec */
  op: Op
}
export type ForceIncludeReturnType = Hash

/**
 * Forced inclusion: posts one of the caller's ops on chain when the other participants ignore its blocks. The
 * contract records it at the next forced index; every replica attests the record and the core applies the op at
 * one final position as if the caller had authored it. From `forceInclusionDelay` after it on, no checkpoint that
 * leaves it out can be proposed. Participants only, while the channel is open (ChannelSettlementChannelNotOpen once
 * settling; ChannelSettlementForcedOpLimit past 16 per participant and delay).
 */
export function forceInclude(
  client: WriteClient,
  { address, channelId, op }: ForceIncludeParameters,
): Promise<ForceIncludeReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'forceInclude',
    args: [channelId, toHex(encodeOp(op))],
  })
}
