import { type Address, type Hex, zeroAddress } from 'viem'
import { getOwed } from '../chain/readers/getOwed.ts'
import { type ClosePayout, readClosePayouts } from '../chain/readers/readClosePayouts.ts'
import type { ReadClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import type { SettlementContext } from './settlement.ts'
import type { Payouts } from './settlementPlan.ts'

/**
 * After a cooperative close (issue #12): what the chain paid. The close emits one ClosePayout per leaf, pushed to
 * the wallet or, when the transfer failed, credited to the participant's pull balance (`owed`, withdraw); nothing is
 * left to claim (the contract kept no root).
 */
export type CloseOutcome = {
  payouts: ClosePayout[]
  /** this participant's pull balance of each channel token and ETH (slash shares, bonds): what Withdraw sends */
  owed: { token: Address; amount: bigint }[]
}

/**
 * Reads the close's payouts (unless `known`: they never change once mined, so the log scan runs once) and this
 * participant's pull balances (read again each time: a withdraw empties them).
 */
export async function readCloseOutcome(
  client: ReadClient,
  ctx: SettlementContext,
  known?: readonly ClosePayout[],
  fromBlock?: bigint,
): Promise<CloseOutcome> {
  const { config, channelId } = ctx.replica.channel
  const account = config.participants[ctx.me]!.address as Address
  const tokens = [...new Set([...config.tokens.map((t) => t.toLowerCase() as Address), zeroAddress])]
  const [payouts, ...owed] = await Promise.all([
    known && known.length > 0
      ? [...known]
      : readClosePayouts(client, {
          address: ctx.contract,
          channelId: toHex(channelId),
          ...(fromBlock !== undefined ? { fromBlock } : {}),
        }),
    ...tokens.map((token) => getOwed(client, { address: ctx.contract, account, token })),
  ])
  return { payouts, owed: tokens.map((token, i) => ({ token, amount: owed[i]! })) }
}

/**
 * The close's payouts as a table (per participant, per channel token): what each wallet received or was credited.
 * Leaves of accounts or tokens not in the channel (none from an honest contract) are left out.
 */
export function closePayoutTable(
  payouts: readonly Pick<ClosePayout, 'participant' | 'token' | 'amount'>[],
  participants: readonly Hex[],
  tokens: readonly Hex[],
): Payouts {
  const p = participants.map((a) => a.toLowerCase())
  const t = tokens.map((a) => a.toLowerCase())
  const table = participants.map(() => tokens.map(() => 0n))
  for (const x of payouts) {
    const i = p.indexOf(x.participant.toLowerCase())
    const k = t.indexOf(x.token.toLowerCase())
    if (i >= 0 && k >= 0) table[i]![k]! += x.amount
  }
  return table
}
