import type { Address } from 'viem'
import { readContract } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'

export type GetOwedParameters = SettlementTarget & {
  account: Address /** address(0) for ETH */
  token: Address
}
export type GetOwedReturnType = bigint

/** `account`'s pull balance of `token` across all channels: what withdraw would send now. */
export function getOwed(
  client: ReadClient,
  { address, account, token }: GetOwedParameters,
): Promise<GetOwedReturnType> {
  return withDecodedErrors(
    readContract(client, {
      address,
      abi: channelSettlementAbi,
      functionName: 'owed',
      args: [account, token],
    }),
  )
}
