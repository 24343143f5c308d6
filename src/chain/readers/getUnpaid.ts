import type { Address, Hex } from 'viem'
import { readContract } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'

export type GetUnpaidParameters = SettlementTarget & {
  channelId: Hex
  participant: Address
  /** address(0) for ETH */
  token: Address
}
export type GetUnpaidReturnType = bigint

/**
 * The part of `participant`'s claimed leaf of `token` the channel could not pay because its holdings ran out (zero
 * unless the finalized checkpoint promised more than the channel held). A claim never reverts for a shortfall.
 */
export function getUnpaid(
  client: ReadClient,
  { address, channelId, participant, token }: GetUnpaidParameters,
): Promise<GetUnpaidReturnType> {
  return withDecodedErrors(
    readContract(client, {
      address,
      abi: channelSettlementAbi,
      functionName: 'unpaid',
      args: [channelId, participant, token],
    }),
  )
}
