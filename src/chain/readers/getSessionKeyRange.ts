import type { Address, Hex } from 'viem'
import { readContract } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'

export type GetSessionKeyRangeParameters = SettlementTarget & { channelId: Hex; sessionKey: Address }
export type SessionKeyRange = {
  /** the participant that authorised the key (current or replaced), or the zero address */
  participant: Address
  fromSeq: bigint
  /** 0: open-ended (the participant's current key) */
  untilSeq: bigint
  fromVersion: bigint
  /** 0: open-ended */
  untilVersion: bigint
}

/**
 * Where a session key is valid on chain (issue #12, key rotation): blocks fromSeq ≤ seq < untilSeq, checkpoints
 * fromVersion ≤ version < untilVersion.
 */
export async function getSessionKeyRange(
  client: ReadClient,
  { address, channelId, sessionKey }: GetSessionKeyRangeParameters,
): Promise<SessionKeyRange> {
  const r = await withDecodedErrors(
    readContract(client, {
      address,
      abi: channelSettlementAbi,
      functionName: 'sessionKeyRange',
      args: [channelId, sessionKey],
    }),
  )
  return {
    participant: r.participant,
    fromSeq: r.fromSeq,
    untilSeq: r.untilSeq,
    fromVersion: r.fromVersion,
    untilVersion: r.untilVersion,
  }
}

/** Whether a key with `range` may sign checkpoint `version` for `participant`. */
export function signsVersion(range: SessionKeyRange, participant: Address, version: bigint): boolean {
  return (
    range.participant.toLowerCase() === participant.toLowerCase() &&
    version >= range.fromVersion &&
    (range.untilVersion === 0n || version < range.untilVersion)
  )
}
