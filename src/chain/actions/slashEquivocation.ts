import { type Hash, toHex } from 'viem'
import type { Equivocation } from '../../core/replica.ts'
import { toBlockHeader } from '../convert/toBlockHeader.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type SlashEquivocationParameters = SettlementTarget & {
  /** evidence from a core Replica's `equivocations` */
  equivocation: Equivocation
}
export type SlashEquivocationReturnType = Hash

/**
 * Submits two blocks one author signed at one seq or one round (DoubleSpending); the contract re-derives both block ids, checks both
 * signatures against the author's session key and shares its bond out equally among the other participants
 * (nothing to the caller, so nobody gains by front-running). Accepted until `getDisputeStatus().bondsUnlockAt`.
 * An author is slashed once: a second submission throws ChannelSettlementAlreadySlashed.
 */
export function slashEquivocation(
  client: WriteClient,
  { address, equivocation }: SlashEquivocationParameters,
): Promise<SlashEquivocationReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'slash',
    args: [
      toHex(equivocation.a.header.channelId),
      toBlockHeader(equivocation.a),
      toBlockHeader(equivocation.b),
    ],
  })
}
