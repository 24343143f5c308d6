import { type Hash, type Hex, toHex } from 'viem'
import type { Checkpoint } from '../../core/checkpoint.ts'
import { toContractCheckpoint } from '../convert/toContractCheckpoint.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type SlashCensorshipParameters = SettlementTarget & {
  channelId: Hex
  /** a checkpoint that leaves out forced record `index` (`forcedCount ≤ index`) although it was due at its time */
  checkpoint: Checkpoint
  /** one participant's session-key signature on `checkpoint`: the evidence */
  signature: Uint8Array
  /** the forced record it leaves out (core `censoredRecord` finds it) */
  index: bigint
}
export type SlashCensorshipReturnType = Hash

/**
 * Censorship (issue #12): a session key signed a checkpoint that leaves out forced record `index` although the record
 * was due at the checkpoint's channel time (`time ≥ 1000 × (record time + forceInclusionDelay)`). The signer's whole
 * bond goes to the co-signers of the pending or final checkpoint (every other participant while the channel is
 * open). Works until one dispute window after the final deadline. A revert (e.g. ChannelSettlementForcedOpIncluded,
 * ChannelSettlementForcedOpNotDue, ChannelSettlementAlreadySlashed) throws a SettlementRevertedError and sends nothing.
 */
export function slashCensorship(
  client: WriteClient,
  { address, channelId, checkpoint, signature, index }: SlashCensorshipParameters,
): Promise<SlashCensorshipReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'slashCensorship',
    args: [channelId, toContractCheckpoint(checkpoint), toHex(signature), index],
  })
}
