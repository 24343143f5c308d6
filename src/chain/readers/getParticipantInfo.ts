import type { Address, Hex } from 'viem'
import { readContract } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ParticipantInfo, ReadClient, SettlementTarget } from '../types.ts'

export type GetParticipantInfoParameters = SettlementTarget & { channelId: Hex; participant: Address }
export type GetParticipantInfoReturnType = ParticipantInfo

/** A participant's session key, index, role, slashed flag and bond; reverts (decoded) for a non-participant. */
export function getParticipantInfo(
  client: ReadClient,
  { address, channelId, participant }: GetParticipantInfoParameters,
): Promise<GetParticipantInfoReturnType> {
  return withDecodedErrors(
    readContract(client, {
      address,
      abi: channelSettlementAbi,
      functionName: 'getParticipant',
      args: [channelId, participant],
    }),
  )
}
