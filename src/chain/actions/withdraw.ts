import type { Hash, Hex } from 'viem'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'

export type WithdrawParameters = SettlementTarget & { /** address(0) for ETH */ token: Hex }
export type WithdrawReturnType = Hash

/** Sends the caller its whole pull balance (`owed`) of `token`: claims, exits, bond shares and released bonds. */
export function withdraw(
  client: WriteClient,
  { address, token }: WithdrawParameters,
): Promise<WithdrawReturnType> {
  return writeSettlement(client, { address, functionName: 'withdraw', args: [token] })
}
