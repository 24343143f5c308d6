import { type Address, type Hex, toHex } from 'viem'
import { signTypedData } from 'viem/actions'
import type { Channel } from '../../core/channel.ts'
import { EIP712_NAME, EIP712_VERSION, TYPED_DATA_TYPES } from '../../core/eip712.ts'
import type { WriteClient } from '../types.ts'

export type SignKeyRotationParameters = {
  channel: Channel
  /** the replacement session key (address) */
  newKey: Address
  /** the first block (the participant's own seq) and checkpoint version the new key signs: Replica.rotationPoint() */
  fromSeq: bigint
  fromVersion: bigint
}
export type SignKeyRotationReturnType = Hex

/**
 * Asks the client's wallet (one eth_signTypedData_v4 prompt) to replace its session key in the channel (issue #12):
 * `SessionKeyRotation(channelId, participant, newKey, fromSeq, fromVersion)`. The signature goes both into the
 * replica (Replica.rotateKey with keys.ts rotationOp) and on chain (rotateSessionKey, which anyone may submit).
 */
export function signKeyRotation(
  client: WriteClient,
  { channel, newKey, fromSeq, fromVersion }: SignKeyRotationParameters,
): Promise<SignKeyRotationReturnType> {
  return signTypedData(client, {
    account: client.account,
    domain: {
      name: EIP712_NAME,
      version: EIP712_VERSION,
      chainId: channel.config.chainId,
      verifyingContract: channel.config.verifyingContract,
    },
    types: { SessionKeyRotation: TYPED_DATA_TYPES.SessionKeyRotation },
    primaryType: 'SessionKeyRotation',
    message: {
      channelId: toHex(channel.channelId),
      participant: client.account.address,
      newKey,
      fromSeq,
      fromVersion,
    },
  })
}
