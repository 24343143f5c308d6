import type { Hash, Hex } from 'viem'
import type { Checkpoint } from '../../core/checkpoint.ts'
import { checkpointSignatures, toContractCheckpoint } from '../convert/toContractCheckpoint.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type ProposeCheckpointParameters = SettlementTarget & {
  channelId: Hex
  checkpoint: Checkpoint
  /** participant index → session-key signature (a core SignedCheckpoint's `signatures`); ≥ threshold of them */
  signatures: ReadonlyMap<number, Uint8Array>
}
export type ProposeCheckpointReturnType = Hash

/**
 * Submits a checkpoint signed by at least the threshold of participants, signatures in participant order. The
 * first one starts settlement (and stops deposits); a later one is a challenge and must carry a strictly higher
 * version before the deadline. A revert (e.g. ChannelSettlementStaleVersion) throws a SettlementRevertedError
 * and sends nothing.
 */
export function proposeCheckpoint(
  client: WriteClient,
  { address, channelId, checkpoint, signatures }: ProposeCheckpointParameters,
): Promise<ProposeCheckpointReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'propose',
    args: [channelId, toContractCheckpoint(checkpoint), checkpointSignatures({ signatures })],
  })
}
