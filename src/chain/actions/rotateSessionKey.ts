import type { Address, Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type RotateSessionKeyParameters = SettlementTarget & {
  channelId: Hex
  participant: Address
  newKey: Address
  fromSeq: bigint
  fromVersion: bigint
  /** the participant's wallet signature from signKeyRotation */
  walletSignature: Hex
}
export type RotateSessionKeyReturnType = Hash

/**
 * Applies a wallet-signed session-key rotation on chain (issue #12): from `fromVersion` on only the new key's
 * checkpoint signatures count for the participant, from block `fromSeq` on only its blocks are slashing evidence.
 * Any account may send it (the wallet signature is the authority), so co-participants can apply a rotation they
 * saw in a block. Refused after finalization, for a key already used, or a start not above the current key's.
 */
export function rotateSessionKey(
  client: WriteClient,
  {
    address,
    channelId,
    participant,
    newKey,
    fromSeq,
    fromVersion,
    walletSignature,
  }: RotateSessionKeyParameters,
): Promise<RotateSessionKeyReturnType> {
  return writeSettlement(client, {
    address,
    functionName: 'rotateSessionKey',
    args: [channelId, participant, newKey, fromSeq, fromVersion, walletSignature],
  })
}
