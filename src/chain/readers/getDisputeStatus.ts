import type { Hex } from 'viem'
import { getBlock } from 'viem/actions'
import { ChannelStatus, type ReadClient, type SettlementTarget } from '../types.ts'
import { getChannelInfo } from './getChannelInfo.ts'

/**
 * - `unknown`: no such channel · `open`: trading, deposits accepted, nothing proposed
 * - `disputing`: a checkpoint is pending and may be challenged with a higher version until `deadline`
 * - `finalizable`: the deadline has passed; anyone may finalize · `finalized`: claims and exits are open
 */
export type DisputePhase = 'unknown' | 'open' | 'disputing' | 'finalizable' | 'finalized'

export type GetDisputeStatusParameters = SettlementTarget & { channelId: Hex }
export type GetDisputeStatusReturnType = {
  phase: DisputePhase
  /** version of the pending or final checkpoint (0 while open) */
  version: bigint
  /** unix seconds; 0 while open */
  deadline: bigint
  /** the latest the deadline can ever move to: first proposal + 2 × dispute window (0 while open) */
  maxDeadline: bigint
  /**
   * end of the evidence window, one dispute window after the deadline (0 while open): slashing evidence is accepted
   * before it, bonds can be released from it on
   */
  bondsUnlockAt: bigint
  /** the latest block's timestamp: the clock the contract uses */
  now: bigint
  /** seconds until the deadline by chain time, 0 once passed */
  secondsLeft: bigint
}

/** Where the channel's settlement stands, judged by the chain's clock (the latest block), not the local one. */
export async function getDisputeStatus(
  client: ReadClient,
  { address, channelId }: GetDisputeStatusParameters,
): Promise<GetDisputeStatusReturnType> {
  const block = await getBlock(client, { blockTag: 'latest' })
  const info = await getChannelInfo(client, { address, channelId, blockNumber: block.number })
  const now = block.timestamp
  const deadline = info.deadline
  const closing = info.status === ChannelStatus.Closing
  const phase: DisputePhase =
    info.status === ChannelStatus.None
      ? 'unknown'
      : info.status === ChannelStatus.Open
        ? 'open'
        : info.status === ChannelStatus.Finalized
          ? 'finalized'
          : now < deadline
            ? 'disputing'
            : 'finalizable'
  return {
    phase,
    version: info.checkpoint.version,
    deadline,
    maxDeadline: info.firstProposalAt === 0n ? 0n : info.firstProposalAt + 2n * info.disputeWindow,
    bondsUnlockAt: info.firstProposalAt === 0n ? 0n : deadline + info.disputeWindow,
    now,
    secondsLeft: closing && now < deadline ? deadline - now : 0n,
  }
}
