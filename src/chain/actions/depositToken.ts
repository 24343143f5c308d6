import { erc20Abi, type Hash, type Hex } from 'viem'
import { readContract, writeContract } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { writeSettlement } from '../internal/writeSettlement.ts'
import type { SettlementTarget, WriteClient } from '../types.ts'
import { confirmTransaction } from './confirmTransaction.ts'

export type DepositTokenParameters = SettlementTarget & {
  channelId: Hex
  /** an ERC-20 token the channel accepts (native ETH goes through depositEth) */
  token: Hex
  /** base units */
  amount: bigint
}
export type DepositTokenReturnType = { hash: Hash; approveHash: Hash | undefined }

/**
 * Deposits `amount` of an ERC-20 for the client's account. If the contract's allowance is short it first sends
 * `approve(amount)` and waits for it. The channel credits what the contract measured, read back with
 * readDepositRecords. Reverts throw a SettlementRevertedError.
 */
export async function depositToken(
  client: WriteClient,
  { address, channelId, token, amount }: DepositTokenParameters,
): Promise<DepositTokenReturnType> {
  const owner = client.account.address
  const allowance = await readContract(client, {
    address: token,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [owner, address],
  })
  let approveHash: Hash | undefined
  if (allowance < amount) {
    approveHash = await withDecodedErrors(
      writeContract(client, {
        address: token,
        abi: erc20Abi,
        functionName: 'approve',
        args: [address, amount],
        account: client.account,
        chain: client.chain,
      }),
    )
    await confirmTransaction(client, { hash: approveHash })
  }
  const hash = await writeSettlement(client, {
    address,
    functionName: 'deposit',
    args: [channelId, token, amount],
  })
  return { hash, approveHash }
}
