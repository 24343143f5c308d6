import type { Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type ReleaseBondParameters = SettlementTarget & { channelId: Hex }
export type ReleaseBondReturnType = Hash

/** After finalization, moves the caller's remaining bond to its ETH pull balance (then withdraw address(0)). */
export function releaseBond(
  client: WriteClient,
  { address, channelId }: ReleaseBondParameters,
): Promise<ReleaseBondReturnType> {
  return writeSettlement(client, { address, functionName: 'releaseBond', args: [channelId] })
}
