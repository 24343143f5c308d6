import type { Hash, Hex } from 'viem'
import type { ExitProof } from '../../core/roots.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type ClaimAndWithdrawParameters = SettlementTarget & {
  channelId: Hex
  /** the caller's exit proof against the finalized checkpoint (see claimExit) */
  proof: ExitProof
}
export type ClaimAndWithdrawReturnType = Hash

/**
 * claimExit and withdraw of that token in one transaction: the leaf is credited (what the channel still holds of
 * it; a shortfall is recorded, see getUnpaid) and the caller's whole pull balance of the token is sent at once.
 */
export function claimAndWithdraw(
  client: WriteClient,
  { address, channelId, proof }: ClaimAndWithdrawParameters,
): Promise<ClaimAndWithdrawReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'claimAndWithdraw',
    args: [channelId, proof.leaf.token, proof.leaf.amount, proof.proof],
  })
}
