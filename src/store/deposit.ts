import { erc20Abi, type Hash, type Hex } from 'viem'
import { getBalance, readContract, writeContract } from 'viem/actions'
import { confirmTransaction } from '../chain/actions/confirmTransaction.ts'
import { depositEth } from '../chain/actions/depositEth.ts'
import { depositToken } from '../chain/actions/depositToken.ts'
import { withDecodedErrors } from '../chain/errors.ts'
import type { ReadClient, WriteClient } from '../chain/types.ts'

const ZERO = '0x0000000000000000000000000000000000000000'

/** The connected wallet's balance of a token (address(0): ETH), base units. */
export function walletBalance(client: ReadClient, token: Hex, owner: Hex): Promise<bigint> {
  if (token.toLowerCase() === ZERO) return getBalance(client, { address: owner })
  return readContract(client, { address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
}

/** Why a deposit of `amount` cannot be sent, before any wallet prompt (undefined: it can). */
export function depositRefusal(amount: bigint, balance: bigint | undefined, format: (v: bigint) => string) {
  if (amount <= 0n) return 'amount must be above zero'
  if (balance !== undefined && amount > balance)
    return `${format(amount)} is more than your wallet holds (${format(balance)})`
  return undefined
}

/** An amount that is `percent` % of `balance` (rounded down), for the 25/50/75/Max shortcuts. */
export function shareOf(balance: bigint, percent: number): bigint {
  return (balance * BigInt(Math.round(percent * 100))) / 10_000n
}

export type DepositStep = { step: number; of: number; what: 'approve' | 'deposit' }

/**
 * Deposits in explicit steps, each reported before the wallet prompt and with its hash once sent: an ERC-20 whose
 * allowance is short is "step 1 of 2: approve", then "step 2 of 2: deposit"; otherwise one step.
 */
export async function depositInSteps(
  client: WriteClient,
  p: { address: Hex; channelId: Hex; token: Hex; amount: bigint },
  on: { step(s: DepositStep): void; sent(hash: Hash): void },
): Promise<void> {
  if (p.token.toLowerCase() === ZERO) {
    on.step({ step: 1, of: 1, what: 'deposit' })
    const hash = await depositEth(client, { address: p.address, channelId: p.channelId, amount: p.amount })
    on.sent(hash)
    await confirmTransaction(client, { hash })
    return
  }
  const allowance = await readContract(client, {
    address: p.token,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [client.account.address, p.address],
  })
  const of = allowance < p.amount ? 2 : 1
  if (of === 2) {
    on.step({ step: 1, of, what: 'approve' })
    const hash = await withDecodedErrors(
      writeContract(client, {
        address: p.token,
        abi: erc20Abi,
        functionName: 'approve',
        args: [p.address, p.amount],
        account: client.account,
        chain: client.chain,
      }),
    )
    on.sent(hash)
    await confirmTransaction(client, { hash })
  }
  on.step({ step: of, of, what: 'deposit' })
  // the allowance now covers the amount: depositToken only deposits
  const { hash } = await depositToken(client, p)
  on.sent(hash)
  await confirmTransaction(client, { hash })
}
