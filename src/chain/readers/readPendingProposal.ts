import type { Address, Hex } from 'viem'
import { getBlock, getContractEvents } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'

export type ReadPendingProposalParameters = SettlementTarget & {
  channelId: Hex
  /** EIP-712 digest of the pending (or final) checkpoint, from getChannelInfo */
  digest: Hex
  /** where to start looking (the channel's opening block is enough); default 0 */
  fromBlock?: bigint
}
export type PendingProposal = {
  /** who sent the proposal, challenge or exit that made `digest` pending */
  submitter: Address
  /** unix seconds of its block: the contract's `proposedAt` */
  proposedAt: bigint
  blockNumber: bigint
}

/**
 * Who made the channel's checkpoint `digest` pending, and when: the newest CheckpointProposed or CheckpointChallenged
 * log with that digest (a proposal, a challenge and an emergency exit each emit one; an exit that joins the pending
 * checkpoint emits none and changes nothing). The contract keeps proposer and time in storage without a view; these
 * logs carry the same facts. Undefined when no log names the digest.
 */
export async function readPendingProposal(
  client: ReadClient,
  { address, channelId, digest, fromBlock = 0n }: ReadPendingProposalParameters,
): Promise<PendingProposal | undefined> {
  const read = (eventName: 'CheckpointProposed' | 'CheckpointChallenged') =>
    withDecodedErrors(
      getContractEvents(client, {
        address,
        abi: channelSettlementAbi,
        eventName,
        args: { channelId },
        fromBlock,
        strict: true,
      }),
    )
  const [proposed, challenged] = await Promise.all([read('CheckpointProposed'), read('CheckpointChallenged')])
  const want = digest.toLowerCase()
  let best: { submitter: Address; blockNumber: bigint; logIndex: number } | undefined
  for (const log of [...proposed, ...challenged]) {
    if (log.args.digest.toLowerCase() !== want) continue
    const at = { submitter: log.args.submitter, blockNumber: log.blockNumber, logIndex: log.logIndex }
    if (
      !best ||
      at.blockNumber > best.blockNumber ||
      (at.blockNumber === best.blockNumber && at.logIndex > best.logIndex)
    )
      best = at
  }
  if (!best) return undefined
  const block = await getBlock(client, { blockNumber: best.blockNumber })
  return { submitter: best.submitter, proposedAt: block.timestamp, blockNumber: best.blockNumber }
}
