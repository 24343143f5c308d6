import { fromHex, type Hash, type Hex } from 'viem'
import type { Checkpoint } from '../../core/checkpoint.ts'
import { closeLeaves, MAX_CLOSE_LEAVES } from '../../core/close.ts'
import type { BalanceLeaf } from '../../core/merkle.ts'
import { checkpointSignatures, toContractCheckpoint } from '../convert/toContractCheckpoint.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type CloseCooperativelyParameters = SettlementTarget & {
  channelId: Hex
  checkpoint: Checkpoint
  /** participant index → `Close` signature by its session key (core `signClose`): one for every participant */
  signatures: ReadonlyMap<number, Uint8Array>
  /**
   * The checkpoint's balance leaves (core `balanceLeaves` of its state). Up to MAX_CLOSE_LEAVES they are paid in the
   * same transaction; above it the close keeps the root and every participant claims as after finalize.
   */
  leaves: readonly BalanceLeaf[]
}
export type CloseCooperativelyReturnType = Hash

/**
 * Ends the channel with `checkpoint`, final at once (no dispute window), when every participant signed its close;
 * small channels are paid out in the same transaction (leaves sorted here into the order the contract takes them).
 * A revert (e.g. ChannelSettlementCloseNeedsEveryone, ChannelSettlementStaleVersion) throws a SettlementRevertedError
 * and sends nothing.
 */
export function closeCooperatively(
  client: WriteClient,
  { address, channelId, checkpoint, signatures, leaves }: CloseCooperativelyParameters,
): Promise<CloseCooperativelyReturnType> {
  const ordered =
    leaves.length <= MAX_CLOSE_LEAVES
      ? closeLeaves(fromHex(channelId, 'bytes'), checkpoint.version, leaves)
      : []
  return writeSettlement(client, {
    address,
    functionName: 'closeCooperatively',
    args: [
      channelId,
      toContractCheckpoint(checkpoint),
      checkpointSignatures({ signatures }),
      ordered.map((l) => ({ participant: l.participant, token: l.token, amount: l.amount })),
    ],
  })
}
