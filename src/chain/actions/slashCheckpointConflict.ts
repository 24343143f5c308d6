import { type Hash, type Hex, toHex } from 'viem'
import type { CheckpointConflict } from '../../core/replica.ts'
import { toContractCheckpoint } from '../convert/toContractCheckpoint.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type SlashCheckpointConflictParameters = SettlementTarget & {
  channelId: Hex
  /** evidence from a core Replica's `checkpointConflicts`: one key's signatures on two checkpoints at one version */
  conflict: CheckpointConflict
}
export type SlashCheckpointConflictReturnType = Hash

/** A conflict the contract can verify alone: the core also records a lone signature that contradicts its own fold. */
export class UnprovableConflictError extends Error {
  override name = 'UnprovableConflictError'
  constructor(readonly conflict: CheckpointConflict) {
    super(
      `participant ${conflict.author} signed one checkpoint at version ${conflict.version} that differs from the one honest replicas computed; the chain needs two signed checkpoints`,
    )
  }
}

/**
 * Submits two different checkpoints one participant's session key signed at one version (InvalidStateSubmission);
 * the contract recomputes both digests, recovers one key from both signatures and shares that participant's bond
 * among the others. Throws UnprovableConflictError before sending when the evidence holds only one checkpoint.
 */
export function slashCheckpointConflict(
  client: WriteClient,
  { address, channelId, conflict }: SlashCheckpointConflictParameters,
): Promise<SlashCheckpointConflictReturnType> {
  const { a, b } = conflict
  if (!b) return Promise.reject(new UnprovableConflictError(conflict))
  return writeSettlement(client, {
    address,
    functionName: 'slashCheckpoints',
    args: [
      channelId,
      toContractCheckpoint(a.checkpoint),
      toHex(a.signature),
      toContractCheckpoint(b.checkpoint),
      toHex(b.signature),
    ],
  })
}
