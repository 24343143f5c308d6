import type { Hex } from 'viem'
import { readContract } from 'viem/actions'
import type { DepositRecord } from '../../core/state.ts'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'
import { getChannelInfo } from './getChannelInfo.ts'

export type ReadDepositRecordsParameters = SettlementTarget & {
  channelId: Hex
  /** first deposit index to read (for incremental polling); 0 by default */
  fromIndex?: bigint
}
export type ReadDepositRecordsReturnType = DepositRecord[]

export class DepositRecordError extends Error {
  override name = 'DepositRecordError'
  constructor(
    readonly index: bigint,
    readonly details: string,
  ) {
    super(`Deposit ${index} does not map onto the channel: ${details}`)
  }
}

/**
 * The channel's deposits from `fromIndex` on, exactly as the contract recorded them, as the core's
 * DepositRecords (participant and token as channel indexes, amount as received). Read from the contract's
 * storage at one block, not from logs, so nothing depends on log ranges or node retention. Each participant
 * attests every record not yet credited with a `Deposit` op carrying its fields; the core credits a record once q
 * participants attested the same content, in index order. A checkpoint names how many records it credits
 * (`depositCount`); after finalization the rest are refundable with `refundDeposit`.
 */
export async function readDepositRecords(
  client: ReadClient,
  { address, channelId, fromIndex = 0n }: ReadDepositRecordsParameters,
): Promise<ReadDepositRecordsReturnType> {
  const info = await getChannelInfo(client, { address, channelId })
  const lower = (a: string) => a.toLowerCase()
  const participants = info.participants.map(lower)
  const tokens = info.tokens.map(lower)
  const indexes: bigint[] = []
  for (let i = fromIndex; i < info.depositCount; i++) indexes.push(i)
  return withDecodedErrors(
    Promise.all(
      indexes.map(async (index) => {
        const d = await readContract(client, {
          address,
          abi: channelSettlementAbi,
          functionName: 'getDeposit',
          args: [channelId, index],
        })
        const participant = participants.indexOf(lower(d.participant))
        const token = tokens.indexOf(lower(d.token))
        if (participant < 0 || token < 0) throw new DepositRecordError(index, `${d.participant} / ${d.token}`)
        return { index, participant, token, amount: d.amount }
      }),
    ),
  )
}
