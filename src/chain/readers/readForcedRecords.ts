import { type Hex, hexToBytes, keccak256 } from 'viem'
import { getContractEvents, readContract } from 'viem/actions'
import type { ForcedRecord } from '../../core/state.ts'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'
import { getChannelInfo } from './getChannelInfo.ts'

export type ReadForcedRecordsParameters = SettlementTarget & {
  channelId: Hex
  /** first forced index to read (for incremental polling); 0 by default */
  fromIndex?: bigint
  /** first block to search for ForcedOpRecorded logs (e.g. the opening block); the earliest block by default */
  fromBlock?: bigint
  /** the block to read at (the count, the records and their logs as of that block); the latest by default */
  blockNumber?: bigint
}
/** The core's ForcedRecord plus the block time (seconds) the contract recorded it at. */
export type ReadForcedRecordsReturnType = (ForcedRecord & { time: bigint })[]

export class ForcedRecordError extends Error {
  override name = 'ForcedRecordError'
  constructor(
    readonly index: bigint,
    readonly details: string,
  ) {
    super(`Forced record ${index}: ${details}`)
  }
}

/**
 * The channel's forced-inclusion records from `fromIndex` on, as the core's ForcedRecords (participant as a channel
 * index, the op bytes as posted). The count, participant, op hash and time come from the contract's storage; the
 * bytes only exist in the ForcedOpRecorded event, so each record's log is looked up and kept only when
 * keccak256(bytes) equals the stored hash and the participant matches (a node serving a wrong log is caught).
 * Throws ForcedRecordError when a record's log is missing (e.g. `fromBlock` too late): a replica must not attest
 * bytes it could not verify. Every participant attests each record not yet included with a `ForcedAttest` op.
 */
export async function readForcedRecords(
  client: ReadClient,
  { address, channelId, fromIndex = 0n, fromBlock, blockNumber }: ReadForcedRecordsParameters,
): Promise<ReadForcedRecordsReturnType> {
  const at = blockNumber === undefined ? {} : { blockNumber }
  const info = await getChannelInfo(client, { address, channelId, ...at })
  if (fromIndex >= info.forcedCount) return []
  const lower = (a: string) => a.toLowerCase()
  const participants = info.participants.map(lower)
  const indexes: bigint[] = []
  for (let i = fromIndex; i < info.forcedCount; i++) indexes.push(i)
  const [stored, logs] = await withDecodedErrors(
    Promise.all([
      Promise.all(
        indexes.map((index) =>
          readContract(client, {
            address,
            abi: channelSettlementAbi,
            functionName: 'getForcedOp',
            args: [channelId, index],
            ...at,
          }),
        ),
      ),
      getContractEvents(client, {
        address,
        abi: channelSettlementAbi,
        eventName: 'ForcedOpRecorded',
        args: { channelId },
        fromBlock: fromBlock ?? 'earliest',
        toBlock: blockNumber ?? 'latest',
      }),
    ]),
  )
  return indexes.map((index, k) => {
    const rec = stored[k]!
    const participant = participants.indexOf(lower(rec.participant))
    if (participant < 0) throw new ForcedRecordError(index, `${rec.participant} is not a participant`)
    const log = logs.find(
      (l) =>
        l.args.index === index &&
        l.args.op !== undefined &&
        keccak256(l.args.op) === rec.opHash &&
        lower(l.args.participant ?? '') === lower(rec.participant),
    )
    if (!log?.args.op) throw new ForcedRecordError(index, 'no ForcedOpRecorded log with the stored hash')
    return { index, participant, op: hexToBytes(log.args.op), time: rec.time }
  })
}
