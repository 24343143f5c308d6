import type { ContractEventName, Hex, WatchContractEventOnLogsParameter } from 'viem'
import { watchContractEvent } from 'viem/actions'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'

type Abi = typeof channelSettlementAbi
/** A decoded ChannelSettlement log: `eventName` narrows `args`. */
export type ChannelEvent = WatchContractEventOnLogsParameter<Abi, ContractEventName<Abi>, true>[number]

export type WatchChannelEventsParameters = SettlementTarget & {
  channelId: Hex
  /** called with each batch of the channel's new logs, in chain order */
  onEvents: (events: ChannelEvent[]) => void
  onError?: (error: Error) => void
  /** milliseconds between polls on HTTP transports (the client's own interval by default) */
  pollingInterval?: number
  /**
   * report logs from this block on (e.g. the channel's opening block), so nothing mined before the watcher's
   * first poll is missed; without it, only logs after the watcher has started
   */
  fromBlock?: bigint
}
export type WatchChannelEventsReturnType = () => void

/**
 * Watches every event of one channel (opened, deposits, bonds, proposals, challenges, finalization, claims,
 * exits, slashes, bond releases). Withdrawn is per account, not per channel, and is not reported. Returns the
 * function that stops watching. Events tell the app *when* to re-read: readDepositRecords is what credits.
 */
export function watchChannelEvents(
  client: ReadClient,
  { address, channelId, onEvents, onError, pollingInterval, fromBlock }: WatchChannelEventsParameters,
): WatchChannelEventsReturnType {
  const id = channelId.toLowerCase()
  return watchContractEvent(client, {
    address,
    abi: channelSettlementAbi,
    strict: true,
    ...(pollingInterval === undefined ? {} : { pollingInterval }),
    ...(onError === undefined ? {} : { onError }),
    ...(fromBlock === undefined ? {} : { fromBlock }),
    onLogs: (logs) => {
      const mine = logs.filter((l) => 'channelId' in l.args && l.args.channelId.toLowerCase() === id)
      if (mine.length > 0) onEvents(mine)
    },
  })
}
