import { bytesEqual } from './bytes.ts'
import { decodeForcedOp } from './opCodec.ts'
import type { DepositOp, ForcedAttestOp, Op } from './ops.ts'
import { Reject } from './reasons.ts'
import type { ChannelState, DepositRecord, OpContext } from './state.ts'

/**
 * On-chain records entering the fold by attestation: deposits credited and forced ops included, each in index
 * order once q distinct participants attested the same content.
 */

/** Attestations of one record index not yet credited: each distinct content with the set of its attesters. */
export type Attestations = readonly { record: DepositRecord; by: bigint; count: number }[]

/** Deposit records attested ahead of the next one to credit; further ones are refused (bounds the table). */
export const DEPOSIT_WINDOW = 1024n

/** Attestations of one forced record not yet included: each distinct content with the set of its attesters. */
export type ForcedAttestations = readonly { participant: number; op: Uint8Array; by: bigint; count: number }[]

/** Forced records attested ahead of the next one to include; further ones are refused (bounds the table). */
export const FORCED_WINDOW = 1024n

/**
 * Records `author`'s attestation of a deposit record; credits records in index order as soon as q distinct
 * participants attested the same content for each. Attestations of credited records, repeated attestations
 * and records too far ahead of the next one are refused.
 */
export function attestDeposit(s: ChannelState, op: DepositOp, author: number): Reject {
  const index = op.depositIndex
  if (index < s.depositCount) return Reject.DepositAlreadyCredited
  if (index >= s.depositCount + DEPOSIT_WINDOW) return Reject.UnknownDeposit
  if (op.participant >= s.P) return Reject.UnknownParticipant
  if (op.token >= s.T) return Reject.UnknownToken
  if (op.amount === 0n) return Reject.ZeroAmount
  const bit = 1n << BigInt(author)
  const list = s.attestations.get(index) ?? []
  if (list.some((a) => (a.by & bit) !== 0n)) return Reject.DepositAlreadyAttested
  const k = list.findIndex(
    (a) =>
      a.record.participant === op.participant && a.record.token === op.token && a.record.amount === op.amount,
  )
  const next =
    k < 0
      ? [
          ...list,
          {
            record: { index, participant: op.participant, token: op.token, amount: op.amount },
            by: bit,
            count: 1,
          },
        ]
      : list.map((a, j) => (j === k ? { record: a.record, by: a.by | bit, count: a.count + 1 } : a))
  s.attestations.set(index, next)
  creditAttested(s)
  return Reject.None
}

/** Credits the next records while one content of each has a quorum of attesters. */
function creditAttested(s: ChannelState): void {
  for (;;) {
    const list = s.attestations.get(s.depositCount)
    const winner = list?.find((a) => a.count >= s.quorum)
    if (!winner) return
    s.attestations.delete(s.depositCount)
    s.depositCount++
    // a record the fold cannot hold (supply past u128) is counted as handled but credits nothing, so that the
    // records after it are not stuck; the contract refunds nothing for it either, as it lies below depositCount
    // (the contract refuses such deposits since the audit: holdings of a token stay ≤ 2^128 − 1)
    s.credit(winner.record)
  }
}

/**
 * Records `ctx.author`'s attestation of forced record `op.forcedIndex`; includes records in index order as soon
 * as q distinct participants attested the same content for each (like deposits). Attestations of included
 * records, repeated attestations and records too far ahead are refused.
 */
export function attestForced(s: ChannelState, op: ForcedAttestOp, ctx: OpContext): Reject {
  const index = op.forcedIndex
  if (index < s.forcedCount) return Reject.ForcedAlreadyIncluded
  if (index >= s.forcedCount + FORCED_WINDOW) return Reject.UnknownForced
  if (op.participant >= s.P) return Reject.UnknownParticipant
  const bit = 1n << BigInt(ctx.author)
  const list = s.forcedAttestations.get(index) ?? []
  if (list.some((a) => (a.by & bit) !== 0n)) return Reject.ForcedAlreadyAttested
  const k = list.findIndex((a) => a.participant === op.participant && bytesEqual(a.op, op.op))
  const next =
    k < 0
      ? [...list, { participant: op.participant, op: op.op, by: bit, count: 1 }]
      : list.map((a, j) => (j === k ? { ...a, by: a.by | bit, count: a.count + 1 } : a))
  s.forcedAttestations.set(index, next)
  includeForced(s, ctx)
  return Reject.None
}

/**
 * Includes the next forced records while one content of each has a quorum of attesters, applying each record's
 * op right here as if its participant had authored it (the same role checks), named `participant:0:index`
 * (block seqs start at 1, so the key never collides with a block op's). A record whose bytes are no valid
 * forced op, or whose op the fold refuses, is included all the same with no effect: the queue never stalls.
 */
function includeForced(s: ChannelState, ctx: OpContext): void {
  for (;;) {
    const index = s.forcedCount
    const winner = s.forcedAttestations.get(index)?.find((a) => a.count >= s.quorum)
    if (!winner) return
    s.forcedAttestations.delete(index)
    s.forcedCount++
    let nested: Op
    try {
      nested = decodeForcedOp(winner.op)
    } catch {
      continue
    }
    s.apply(nested, { ...ctx, author: winner.participant, seq: 0n, index: Number(index) })
  }
}
