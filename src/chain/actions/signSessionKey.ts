import { type Address, type Hex, toHex } from 'viem'
import { signTypedData } from 'viem/actions'
import { type ChannelConfig, computeChannelId } from '../../core/channel.ts'
import { EIP712_NAME, EIP712_VERSION, TYPED_DATA_TYPES } from '../../core/eip712.ts'
import type { WriteClient } from '../types.ts'

export type SignSessionKeyParameters = {
  /** the channel being opened; authSignatures may still be empty ('0x'): the channel id does not cover them */
  config: Omit<ChannelConfig, 'markets'>
  /** the session key (address) this wallet authorises for the channel */
  sessionKey: Address
}
export type SignSessionKeyReturnType = Hex

/**
 * Asks the client's wallet (one eth_signTypedData_v4 prompt) to authorise `sessionKey` for the channel:
 * `SessionKey(channelId, participant, sessionKey)` under the channel's EIP-712 domain. The participant is the
 * client's account. The result goes into the participant's `authSignature`.
 */
export function signSessionKey(
  client: WriteClient,
  { config, sessionKey }: SignSessionKeyParameters,
): Promise<SignSessionKeyReturnType> {
  return signTypedData(client, {
    account: client.account,
    domain: {
      name: EIP712_NAME,
      version: EIP712_VERSION,
      chainId: config.chainId,
      verifyingContract: config.verifyingContract,
    },
    types: { SessionKey: TYPED_DATA_TYPES.SessionKey },
    primaryType: 'SessionKey',
    message: {
      channelId: toHex(computeChannelId(config)),
      participant: client.account.address,
      sessionKey,
    },
  })
}
