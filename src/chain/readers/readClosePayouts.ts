import type { Address, Hex } from 'viem'
import { getContractEvents } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { ReadClient, SettlementTarget } from '../types.ts'

export type ReadClosePayoutsParameters = SettlementTarget & {
  channelId: Hex
  /** where to start looking (the channel's opening block is enough); default 0 */
  fromBlock?: bigint
}

/** One leaf a cooperative close paid (the contract's ClosePayout event). */
export type ClosePayout = {
  participant: Address
  /** address(0) for ETH */
  token: Address
  /** sent to the wallet (`pushed`) or credited to its pull balance (withdraw) */
  amount: bigint
  /** what the channel could not cover, recorded as owed by the channel (nonzero only on a shortfall) */
  unpaid: bigint
  pushed: boolean
  transactionHash: Hex
}

/**
 * The payouts of the channel's cooperative close (ClosePayout logs), in log order; empty when the channel was not
 * closed together or the close kept the root (each participant claims then, as after finalize).
 */
export async function readClosePayouts(
  client: ReadClient,
  { address, channelId, fromBlock = 0n }: ReadClosePayoutsParameters,
): Promise<ClosePayout[]> {
  const logs = await withDecodedErrors(
    getContractEvents(client, {
      address,
      abi: channelSettlementAbi,
      eventName: 'ClosePayout',
      args: { channelId },
      fromBlock,
      strict: true,
    }),
  )
  return logs.map((l) => ({
    participant: l.args.participant,
    token: l.args.token,
    amount: l.args.amount,
    unpaid: l.args.unpaid,
    pushed: l.args.pushed,
    transactionHash: l.transactionHash,
  }))
}
