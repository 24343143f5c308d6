import type { Hash, Hex } from 'viem'
import type { Checkpoint } from '../../core/checkpoint.ts'
import type { ExitProof } from '../../core/roots.ts'
import { checkpointSignatures, toContractCheckpoint } from '../convert/toContractCheckpoint.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type EmergencyExitParameters = SettlementTarget & {
  channelId: Hex
  checkpoint: Checkpoint
  /** participant index → signature; before finalization every participant must have signed */
  signatures: ReadonlyMap<number, Uint8Array>
  /** the caller's exit proof against `checkpoint`'s balances root */
  proof: ExitProof
}
export type EmergencyExitReturnType = Hash

/**
 * Leaves the channel alone with one token's balance from a checkpoint every participant signed (or the finalized
 * one), without waiting for the dispute window; the checkpoint also counts as a proposal. Once per
 * (participant, token); a later claim of that token reverts.
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
