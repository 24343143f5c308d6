import type { Hex } from 'viem'
import { getChannelInfo } from '../chain/readers/getChannelInfo.ts'
import type { ReadClient } from '../chain/types.ts'
import { ChannelStatus } from '../chain/types.ts'
import type { SettlementPhase } from '../core/phase.ts'

/** The settlement phase as far as pruning and submitting go, from the contract's channel status. */
export function phaseOfStatus(status: number): SettlementPhase {
  if (status === ChannelStatus.Open) return 'open'
  if (status === ChannelStatus.Closing) return 'disputing'
  if (status === ChannelStatus.Finalized) return 'finalized'
  return 'unknown'
}

/** Reads the channel's phase on chain; 'unknown' when the read fails (the next poll retries). */
export async function readPhase(client: ReadClient, address: Hex, channelId: Hex): Promise<SettlementPhase> {
  try {
    return phaseOfStatus((await getChannelInfo(client, { address, channelId })).status)
  } catch {
    return 'unknown'
  }
}
