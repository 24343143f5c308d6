import type { Hash, TransactionReceipt } from 'viem'
import { call, getTransaction, waitForTransactionReceipt } from 'viem/actions'
import { decodeSettlementError, SettlementRevertedError } from '../errors.ts'
import type { ReadClient } from '../types.ts'

export type ConfirmTransactionParameters = { hash: Hash; confirmations?: number; timeout?: number }
export type ConfirmTransactionReturnType = TransactionReceipt

/**
 * Waits for a transaction's receipt and returns it if it succeeded. If it was mined but reverted (the chain
 * changed between simulation and inclusion), replays it at its block to recover the revert and throws that as a
 * SettlementRevertedError.
 */
export async function confirmTransaction(
  client: ReadClient,
  { hash, confirmations, timeout }: ConfirmTransactionParameters,
): Promise<ConfirmTransactionReturnType> {
  const receipt = await waitForTransactionReceipt(client, {
    hash,
    ...(confirmations === undefined ? {} : { confirmations }),
    ...(timeout === undefined ? {} : { timeout }),
  })
  if (receipt.status === 'success') return receipt
  const tx = await getTransaction(client, { hash })
  try {
    await call(client, {
      account: tx.from,
      to: tx.to,
      data: tx.input,
      value: tx.value,
      gas: tx.gas,
      // the state just before its block: the closest the node can replay to the state it ran against
      blockNumber: receipt.blockNumber - 1n,
    })
  } catch (error) {
    const decoded = decodeSettlementError(error)
    if (decoded) throw decoded
  }
  // the replay did not revert: it ran against a slightly different state; a transaction that used (nearly) all
  // its gas ran out of it
  const outOfGas = tx.gas > 0n && receipt.gasUsed * 64n >= tx.gas * 63n
  throw new SettlementRevertedError({
    errorName: outOfGas ? 'OutOfGas' : 'UnknownRevert',
    args: [],
    argNames: [],
    data: undefined,
    functionName: undefined,
    contractAddress: tx.to ?? undefined,
    sender: tx.from,
    cause: undefined,
  })
}
