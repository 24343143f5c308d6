import { getBlock } from 'viem/actions'
import type { ForcedQueueWatermark } from '../../core/censorship.ts'
import type { ReadClient } from '../types.ts'
import {
  type ReadForcedRecordsParameters,
  type ReadForcedRecordsReturnType,
  readForcedRecords,
} from './readForcedRecords.ts'

export type ReadForcedQueueParameters = Omit<ReadForcedRecordsParameters, 'blockNumber'>
/** The core's watermark (count as of a chain time) with the records from `fromIndex` on, bytes included. */
export type ReadForcedQueueReturnType = ForcedQueueWatermark & {
  readonly records: ReadForcedRecordsReturnType
  /** the block the queue was read at */
  readonly blockNumber: bigint
}

/**
 * One read of the channel's forced-inclusion queue pinned to the latest block: the record count there, that block's
 * timestamp (s) and the records from `fromIndex` on. What `Replica.noteForcedQueue` takes: every record the read does
 * not count was recorded in a later block, so at or after `asOfChainTime`. One block read more than readForcedRecords.
 */
export async function readForcedQueue(
  client: ReadClient,
  parameters: ReadForcedQueueParameters,
): Promise<ReadForcedQueueReturnType> {
  const block = await getBlock(client, { blockTag: 'latest' })
  const blockNumber = block.number
  const records = await readForcedRecords(client, { ...parameters, blockNumber })
  // readForcedRecords reads up to the count at that block; with none from fromIndex on, the count is at most
  // fromIndex, and reporting fromIndex only asks the replica for record times it already has (conservative)
  const count = records.length > 0 ? records.at(-1)!.index + 1n : (parameters.fromIndex ?? 0n)
  return { count, asOfChainTime: block.timestamp, records, blockNumber }
}
