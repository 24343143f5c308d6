import type { Hash, Hex } from 'viem'
import type { Checkpoint } from '../../core/checkpoint.ts'
import type { ExitProof } from '../../core/roots.ts'
import { checkpointSignatures, toContractCheckpoint } from '../convert/toContractCheckpoint.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type EmergencyExitParameters = SettlementTarget & {
  channelId: Hex
  checkpoint: Checkpoint
  /** participant index → signature; before finalization at least the threshold must have signed */
  signatures: ReadonlyMap<number, Uint8Array>
  /** the caller's exit proof against `checkpoint`'s balances root */
  proof: ExitProof
}
export type EmergencyExitReturnType = Hash

/**
 * Starts (or joins) settlement alone with a quorum-signed checkpoint that holds the caller's leaf. It pays nothing
 * at once: the checkpoint is a proposal, a newer one may replace it before the deadline, and the caller is paid
 * its leaf in the finalized checkpoint. After finalization the same call (with the finalized checkpoint and its
 * proof; signatures are ignored) is a claim, once per (participant, token).
 */
export function emergencyExit(
  client: WriteClient,
  { address, channelId, checkpoint, signatures, proof }: EmergencyExitParameters,
): Promise<EmergencyExitReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'emergencyExit',
    args: [
      channelId,
      toContractCheckpoint(checkpoint),
      checkpointSignatures({ signatures }),
      proof.leaf.token,
      proof.leaf.amount,
      proof.proof,
    ],
  })
}
