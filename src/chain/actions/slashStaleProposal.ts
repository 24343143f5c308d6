import type { Hash, Hex } from 'viem'
import type { Checkpoint } from '../../core/checkpoint.ts'
import { checkpointSignatures, toContractCheckpoint } from '../convert/toContractCheckpoint.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type SlashStaleProposalParameters = SettlementTarget & {
  channelId: Hex
  /** a checkpoint newer than the pending (or final) one, signed by the participant that proposed that one */
  checkpoint: Checkpoint
  /** participant index → session-key signature; at least the threshold, the proposer's among them */
  signatures: ReadonlyMap<number, Uint8Array>
}
export type SlashStaleProposalReturnType = Hash

/**
 * InvalidStateSubmission, stale proposal (issue #12): the participant that proposed (or exited with) the channel's
 * pending or final checkpoint had signed `checkpoint`, a higher version whose channel time is at least the
 * force-inclusion delay before that proposal, and a quorum signed it too. Its whole bond goes to the co-signers of the
 * pending or final checkpoint. Works until one dispute window after the final deadline. A revert (e.g.
 * ChannelSettlementCheckpointTooRecent, ChannelSettlementNotSignedBy) throws a SettlementRevertedError and sends
 * nothing.
 */
export function slashStaleProposal(
  client: WriteClient,
  { address, channelId, checkpoint, signatures }: SlashStaleProposalParameters,
): Promise<SlashStaleProposalReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'slashStaleProposal',
    args: [channelId, toContractCheckpoint(checkpoint), checkpointSignatures({ signatures })],
  })
}
