import { type Address, decodeFunctionData, type Hash, type Hex } from 'viem'
import { getContractEvents, getTransaction } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { OpenParams, ReadClient, SettlementTarget } from '../types.ts'

export type ReadChannelOpenedParameters = SettlementTarget & {
  channelId: Hex
  /** where to start looking for the ChannelOpened log: the contract's deployment block is enough */
  fromBlock?: bigint
}
export type ReadChannelOpenedReturnType = {
  params: OpenParams
  /** the wallets' authorisations, from the opening transaction's calldata; undefined if `open` was not the
   * transaction's top-level call (a multisig or another contract opened it) */
  keyAuthSigs: Hex[] | undefined
  opener: Address
  blockNumber: bigint
  transactionHash: Hash
}

export class ChannelNotOpenedError extends Error {
  override name = 'ChannelNotOpenedError'
  constructor(readonly channelId: Hex) {
    super(`No ChannelOpened event for channel ${channelId}`)
  }
}

/**
 * How a channel was opened: its OpenParams from the ChannelOpened log and the session-key authorisations from
 * the transaction that opened it. With channelConfigFromOpenParams and the core's openChannel, a newcomer
 * rebuilds and re-verifies the channel config from the chain alone.
 */
export async function readChannelOpened(
  client: ReadClient,
  { address, channelId, fromBlock = 0n }: ReadChannelOpenedParameters,
): Promise<ReadChannelOpenedReturnType> {
  const logs = await withDecodedErrors(
    getContractEvents(client, {
      address,
      abi: channelSettlementAbi,
      eventName: 'ChannelOpened',
      args: { channelId },
      fromBlock,
      strict: true,
    }),
  )
  const log = logs[0]
  if (!log) throw new ChannelNotOpenedError(channelId)
  const tx = await getTransaction(client, { hash: log.transactionHash })
  let keyAuthSigs: Hex[] | undefined
  try {
    const call = decodeFunctionData({ abi: channelSettlementAbi, data: tx.input })
    if (call.functionName === 'open' && tx.to?.toLowerCase() === address.toLowerCase())
      keyAuthSigs = [...call.args[1]]
  } catch {
    keyAuthSigs = undefined
  }
  return {
    params: log.args.params,
    keyAuthSigs,
    opener: log.args.opener,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  }
}
