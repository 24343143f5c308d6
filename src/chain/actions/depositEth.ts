import type { Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type DepositEthParameters = SettlementTarget & { channelId: Hex /** wei */; amount: bigint }
export type DepositEthReturnType = Hash

/** Deposits `amount` wei of native ETH (channel token `address(0)`) for the client's account. */
export function depositEth(
  client: WriteClient,
  { address, channelId, amount }: DepositEthParameters,
): Promise<DepositEthReturnType> {
  return writeSettlement(client, { address, functionName: 'depositEth', args: [channelId], value: amount })
}
