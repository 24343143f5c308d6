import type { Hash, Hex } from 'viem'
import type { ExitProof } from '../../core/roots.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type ClaimExitParameters = SettlementTarget & {
  channelId: Hex
  /** from the core's `exitProofs(stateOfCut(finalized.heads), finalized.version, me)`; its leaf is the caller's */
  proof: ExitProof
}
export type ClaimExitReturnType = Hash

/**
 * Claims the caller's holdings of one token in the finalized checkpoint into its pull balance (then withdraw).
 * Once per (participant, token); the proof must be against the finalized version's balances root.
 */
export function claimExit(
  client: WriteClient,
  { address, channelId, proof }: ClaimExitParameters,
): Promise<ClaimExitReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'claim',
    args: [channelId, proof.leaf.token, proof.leaf.amount, proof.proof],
  })
}
