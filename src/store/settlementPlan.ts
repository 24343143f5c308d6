import type { Replica } from '../core/replica.ts'

/**
 * Pure helpers behind the Settlement panel's explanations: what each participant receives from a checkpoint,
 * which deposits are refundable after finalization, and when the liveness escape is worth offering.
 */

/** Per participant, per token (channel order): the holdings a checkpoint pays out. */
export type Payouts = bigint[][]

/**
 * Payouts already computed, per replica, by checkpoint digest: a checkpoint's state never changes, and rebuilding it
 * (`stateOfCheckpoint` replays the fold up to its leader) on every render of the Settlement panel was ~3 % of a live
 * tab's CPU in bench:sync. One entry per checkpoint version the panel asked about.
 */
const computed = new WeakMap<Replica, Map<string, Payouts>>()

/** What each participant will receive if checkpoint `version` (of this replica) is the one that finalizes. */
export function payoutsOf(replica: Replica, version: bigint): Payouts | undefined {
  if (version < 1n || version > replica.latestCheckpointVersion) return undefined
  const digest = replica.checkpoint(version)?.digest
  let known = computed.get(replica)
  const hit = digest === undefined ? undefined : known?.get(`${version}:${digest}`)
  if (hit) return hit
  let s: ReturnType<Replica['stateOfCheckpoint']>
  try {
    s = replica.stateOfCheckpoint(version)
  } catch {
    // below this replica's pruning point and not among the states it kept (Replica.prune)
    return undefined
  }
  const payouts = Array.from({ length: s.P }, (_, p) =>
    Array.from({ length: s.T }, (_, t) => s.holdings(p, t)),
  )
  if (digest !== undefined) {
    if (!known) {
      known = new Map()
      computed.set(replica, known)
    }
    known.set(`${version}:${digest}`, payouts)
  }
  return payouts
}

/**
 * Whether checkpoint `version` pays participant `p` exactly what it holds in the final state now: its latest final
 * balances are in that checkpoint, so settling with it loses nothing of theirs.
 */
export function checkpointCovers(replica: Replica, version: bigint, p: number): boolean {
  const paid = payoutsOf(replica, version)?.[p]
  if (!paid) return false
  const now = replica.finalState()
  return paid.every((v, t) => v === now.holdings(p, t))
}

/** A deposit record the contract holds (participant and token as channel indexes). */
export type DepositRecordView = { index: bigint; participant: number; token: number; amount: bigint }

/**
 * Deposits the finalized checkpoint does not credit (index ≥ its `depositCount`) and not refunded yet: each is paid
 * back to its depositor by `refundDeposit`. Before finalization nothing is refundable.
 */
export function refundable(
  records: readonly DepositRecordView[],
  finalized: boolean,
  finalDepositCount: bigint,
  refunded: ReadonlySet<bigint>,
): DepositRecordView[] {
  if (!finalized) return []
  return records.filter((r) => r.index >= finalDepositCount && !refunded.has(r.index))
}

/**
 * How long the channel may go without a new quorum checkpoint before the panel offers the liveness escape:
 * ten minutes or ten dispute windows, whichever is longer (a live channel certifies one every few seconds).
 */
export function escapeAfterMs(disputeWindowSeconds: bigint): number {
  return Math.max(10 * 60_000, Number(disputeWindowSeconds) * 10_000)
}

/**
 * Whether to offer the escape: the channel is open on chain and no checkpoint was certified (signed by a quorum)
 * since `escapeAfterMs` — measured from the newest certified checkpoint's channel time, or from when this page
 * first saw the channel live if none was ever certified.
 */
export function escapeDue(p: {
  open: boolean
  /** channel clock (ms) of the newest certified checkpoint, if any */
  lastCertifiedMs: number | undefined
  /** wall clock (ms) when this page saw the channel live */
  liveSinceMs: number
  nowMs: number
  disputeWindowSeconds: bigint
}): { due: boolean; sinceMs: number } {
  const since = p.lastCertifiedMs ?? p.liveSinceMs
  return { due: p.open && p.nowMs - since >= escapeAfterMs(p.disputeWindowSeconds), sinceMs: since }
}

/**
 * Which checkpoint's payouts the Settlement panel shows, with its title: the one the next action is about. `known` is
 * the checkpoint on chain when this replica computed it (same root), `proposable` what may be proposed now.
 */
export function payoutFocus(p: {
  phase: 'unknown' | 'open' | 'disputing' | 'finalizable' | 'finalized' | undefined
  known: bigint | undefined
  proposable: bigint | undefined
}): { title: string; version: bigint } | undefined {
  if (p.phase === 'finalized')
    return p.known === undefined
      ? undefined
      : { title: `Finalized v${p.known}: each participant claims`, version: p.known }
  if (p.phase === 'finalizable' && p.known !== undefined)
    return { title: `Finalize pays out v${p.known}: each participant will receive`, version: p.known }
  if (p.proposable !== undefined)
    return {
      title: `If v${p.proposable} is proposed and finalizes, each participant will receive`,
      version: p.proposable,
    }
  if (p.phase === 'disputing' && p.known !== undefined)
    return { title: `If v${p.known} finalizes, each participant will receive`, version: p.known }
  return undefined
}
