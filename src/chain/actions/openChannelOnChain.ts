import { type Hash, type Hex, isAddressEqual, toHex } from 'viem'
import { type ChannelConfig, computeChannelId } from '../../core/channel.ts'
import { toOpenParams } from '../convert/toOpenParams.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type OpenChannelOnChainParameters = SettlementTarget & {
  /** a complete config: every participant's authSignature filled in (see signSessionKey) */
  config: ChannelConfig
}
export type OpenChannelOnChainReturnType = { hash: Hash; channelId: Hex }

export class ChannelTargetError extends Error {
  override name = 'ChannelTargetError'
  constructor(readonly details: string) {
    super(`The channel config is for another deployment: ${details}`)
  }
}

/**
 * Opens the channel `config` describes on ChannelSettlement at `address`; anyone may submit it. Refuses (before
 * sending) a config whose verifyingContract or chainId is not this deployment's — its signatures would not
 * verify — and throws a SettlementRevertedError for any revert (a bad authorisation, an existing channel…).
 */
export async function openChannelOnChain(
  client: WriteClient,
  { address, config }: OpenChannelOnChainParameters,
): Promise<OpenChannelOnChainReturnType> {
  if (!isAddressEqual(config.verifyingContract, address))
    throw new ChannelTargetError(`verifyingContract ${config.verifyingContract}, contract ${address}`)
  if (client.chain && BigInt(client.chain.id) !== config.chainId)
    throw new ChannelTargetError(`chainId ${config.chainId}, client chain ${client.chain.id}`)
  const { params, keyAuthSigs } = toOpenParams(config)
  const hash = await writeSettlement(client, { address, functionName: 'open', args: [params, keyAuthSigs] })
  return { hash, channelId: toHex(computeChannelId(config)) }
}
