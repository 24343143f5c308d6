import type { Hex } from 'viem'
import { readContract } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ChannelInfo, ReadClient, SettlementTarget } from '../types.ts'

export type GetChannelInfoParameters = SettlementTarget & { channelId: Hex; blockNumber?: bigint }
export type GetChannelInfoReturnType = ChannelInfo

/**
 * The channel's on-chain configuration and settlement state: status (see ChannelStatus), threshold, dispute
 * window, deposit count, first-proposal time, deadline, the pending or final checkpoint, participants, tokens.
 * An unknown channel reads as status None with empty lists.
 */
export function getChannelInfo(
  client: ReadClient,
  { address, channelId, blockNumber }: GetChannelInfoParameters,
): Promise<GetChannelInfoReturnType> {
  return withDecodedErrors(
    readContract(client, {
      address,
      abi: channelSettlementAbi,
      functionName: 'getChannel',
      args: [channelId],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    }),
  )
}
