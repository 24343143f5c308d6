import type { Address, Hex } from 'viem'
import type { ChannelConfig, ChannelParams, Market, Role } from '../../core/channel.ts'
import type { OpenParams } from '../types.ts'

export type ChannelConfigFromOpenParamsParameters = {
  chainId: bigint
  /** the ChannelSettlement deployment: the EIP-712 verifying contract */
  verifyingContract: Address
  params: OpenParams
  keyAuthSigs: readonly Hex[]
  /** what the contract does not store: the channel's markets and trading parameters */
  markets: Market[]
  offChain: Omit<ChannelParams, 'minStake' | 'disputeWindow' | 'maxLeverage'>
}

/**
 * The core channel config for a channel opened (or about to be opened) with `params`: the inverse of
 * toOpenParams. Validate the result with the core's `openChannel`, which also checks every authorisation.
 */
export function channelConfigFromOpenParams(p: ChannelConfigFromOpenParamsParameters): ChannelConfig {
  const { params } = p
  return {
    chainId: p.chainId,
    verifyingContract: p.verifyingContract,
    nonce: params.nonce,
    threshold: params.threshold,
    tokens: [...params.tokens],
    markets: p.markets,
    params: {
      ...p.offChain,
      minStake: params.minStake,
      disputeWindow: params.disputeWindow,
      maxLeverage: params.maxLeverage,
    },
    participants: params.participants.map((address, i) => ({
      address,
      role: params.roles[i] as Role,
      sessionKey: params.sessionKeys[i] ?? '0x',
      authSignature: p.keyAuthSigs[i] ?? '0x',
    })),
  }
}
