import { decodeEventLog, type Hash, type Hex } from 'viem'
import { getChainId } from 'viem/actions'
import { confirmTransaction } from '../chain/actions/confirmTransaction.ts'
import { forceInclude } from '../chain/actions/forceInclude.ts'
import { SettlementRevertedError } from '../chain/errors.ts'
import { channelSettlementAbi } from '../chain/generated/abis.ts'
import type { WriteClient } from '../chain/types.ts'
import type { Op, OpTag } from '../core/ops.ts'
import type { Reject } from '../core/reasons.ts'
import type { ChannelState } from '../core/state.ts'

/**
 * Forced inclusion from the participant's side (issue #12): when the others ignore its blocks, a participant posts
 * one op on chain (`forceInclude`); every replica attests the record and the fold applies the op at one final
 * position as if the participant had authored it (core CONTEXT.md, "Chain data: forced inclusion").
 */

/** The ops the app lets a participant force: moving its own funds out of reach of a censoring majority. */
export type ForceableOp = Extract<Op, { tag: typeof OpTag.Transfer | typeof OpTag.Withdraw }>

export class WrongChainError extends Error {
  override name = 'WrongChainError'
  constructor(
    readonly walletChain: number,
    readonly channelChain: bigint,
  ) {
    super(
      `your wallet is on chain ${walletChain}, the channel is on chain ${channelChain}: switch networks first`,
    )
  }
}

export type ForceTarget = { address: Hex; channelId: Hex; chainId: bigint }

/**
 * Posts `op` on chain from the wallet and waits for it to be mined; returns the forced index the contract gave it
 * (from the receipt's ForcedOpRecorded event). Refuses before the wallet is asked when the wallet is on another
 * chain; a contract refusal (channel not open, the per-participant limit) comes back as a SettlementRevertedError
 * before anything is signed (forceSubmitError words it).
 */
export async function forceOnChain(
  client: WriteClient,
  target: ForceTarget,
  op: ForceableOp,
  sent: (hash: Hash) => void = () => {},
): Promise<{ index: bigint; hash: Hash }> {
  const walletChain = await getChainId(client)
  if (BigInt(walletChain) !== target.chainId) throw new WrongChainError(walletChain, target.chainId)
  const hash = await forceInclude(client, { address: target.address, channelId: target.channelId, op })
  sent(hash)
  const receipt = await confirmTransaction(client, { hash })
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== target.address.toLowerCase()) continue
    try {
      const ev = decodeEventLog({ abi: channelSettlementAbi, data: log.data, topics: log.topics })
      if (
        ev.eventName === 'ForcedOpRecorded' &&
        ev.args.channelId.toLowerCase() === target.channelId.toLowerCase()
      )
        return { index: ev.args.index, hash }
    } catch {
      // another event of the contract's
    }
  }
  throw new Error(`transaction ${hash} was mined without a ForcedOpRecorded event`)
}

/** The words for a failed force: the per-participant limit with when to retry, else undefined (describeError). */
export function forceSubmitError(e: unknown): string | undefined {
  if (!(e instanceof SettlementRevertedError)) return undefined
  if (e.errorName === 'ChannelSettlementForcedOpLimit') {
    const max = e.argsByName.max
    const retryAt = e.argsByName.retryAt
    const when = typeof retryAt === 'bigint' ? new Date(Number(retryAt) * 1000).toISOString() : 'later'
    return `limit reached: at most ${String(max)} forced ops per participant per window; retry after ${when.replace('.000Z', 'Z')}`
  }
  if (e.errorName === 'ChannelSettlementChannelNotOpen')
    return 'the channel is no longer open on chain: forced ops are only recorded while it is'
  return undefined
}

/**
 * Where forced record `index` stands for this replica: recorded on chain and not yet attested by a quorum
 * (`waiting`), included in the pending order (`included`), or in the final order (`final`).
 */
export function forcedStatus(
  index: bigint,
  pending: { readonly forcedCount: bigint },
  final: { readonly forcedCount: bigint },
): 'waiting' | 'included' | 'final' {
  if (index < final.forcedCount) return 'final'
  if (index < pending.forcedCount) return 'included'
  return 'waiting'
}

/**
 * The fold's verdict on `op` by participant `me` applied now, on a copy of `state` (nothing changes): what a forced
 * op would do if it were included at the end of what this replica knows. A forced op the fold refuses is still
 * recorded and counted, with no effect — so the app does not post one it knows is refused.
 */
export function forcedPreview(state: ChannelState, me: number, op: ForceableOp): Reject {
  const copy = state.clone()
  return copy.apply(op, { author: me, seq: 0n, index: 0, height: 0, block: 'forced-preview', time: 0n })
}

/** What waitingOwnBlocks needs of a block row (core views.ts BlockRow). */
export type WaitingBlockSource = {
  readonly id: Hex
  readonly author: number
  readonly seq: number
  readonly final: boolean
  readonly ops: readonly { readonly op: Op }[]
}

/**
 * This participant's blocks that carry ops and are not final yet, each with how long it has waited: since `seen`
 * first saw it (ids → the caller's clock in ms; new ids are added). Ignored blocks are what forced inclusion is
 * for: the UI suggests forcing once one has waited `afterMs`. Ids no longer waiting are dropped from `seen`.
 */
export function waitingOwnBlocks(
  blocks: readonly WaitingBlockSource[],
  me: number,
  seen: Map<Hex, number>,
  now: number,
): { seq: number; ops: number; waitedMs: number }[] {
  const out: { seq: number; ops: number; waitedMs: number }[] = []
  const waiting = new Set<Hex>()
  for (const b of blocks) {
    if (b.author !== me || b.final || b.ops.length === 0) continue
    waiting.add(b.id)
    if (!seen.has(b.id)) seen.set(b.id, now)
    out.push({ seq: b.seq, ops: b.ops.length, waitedMs: now - seen.get(b.id)! })
  }
  for (const id of [...seen.keys()]) if (!waiting.has(id)) seen.delete(id)
  return out.sort((x, y) => x.seq - y.seq)
}
