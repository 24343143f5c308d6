import { checkOp } from '../core/opCheck.ts'
import type { Op } from '../core/ops.ts'
import { opPermission, type SettlementPhase } from '../core/phase.ts'
import type { Reject } from '../core/reasons.ts'

/** What a local submit came to: entered the batch (with the fold's verdict at its position), or refused before. */
export type SubmitOutcome =
  | { ok: true; seq: bigint; index: number; result: Reject }
  | { ok: false; reason: string }

/** The part of ChannelSession this needs. */
export type Submitter = { submit(op: Op): { seq: bigint; index: number; result: Reject } }

/**
 * The store's one submit path for ops a participant enters (orders, cancels, transfers): refused before they
 * reach the replica when the channel's on-chain phase does not allow them (core/phase.ts) or when a field cannot
 * be encoded (core/opCheck.ts) — so an op that could never be sealed never enters a batch. Never throws: whatever
 * the session throws (a full batch, …) comes back as a refusal with its message.
 */
export function submitChecked(session: Submitter, op: Op, phase: SettlementPhase): SubmitOutcome {
  const permission = opPermission(phase, op.tag)
  if (!permission.allowed) return { ok: false, reason: permission.reason }
  const check = checkOp(op)
  if (!check.ok) return { ok: false, reason: check.message }
  try {
    return { ok: true, ...session.submit(op) }
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) }
  }
}
