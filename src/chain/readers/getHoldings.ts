import type { Address, Hex } from 'viem'
import { readContract } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'
import { getChannelInfo } from './getChannelInfo.ts'

export type GetHoldingsParameters = SettlementTarget & { channelId: Hex }
/** One entry per channel token, in channel token order (the core's token index). */
export type GetHoldingsReturnType = { token: Address; amount: bigint }[]

/** What the contract holds for the channel per token: deposits minus claims and exits. */
export async function getHoldings(
  client: ReadClient,
  { address, channelId }: GetHoldingsParameters,
): Promise<GetHoldingsReturnType> {
  const { tokens } = await getChannelInfo(client, { address, channelId })
  return withDecodedErrors(
    Promise.all(
      tokens.map(async (token) => ({
        token,
        amount: await readContract(client, {
          address,
          abi: channelSettlementAbi,
          functionName: 'holdings',
          args: [channelId, token],
        }),
      })),
    ),
  )
}
