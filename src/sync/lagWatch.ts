import type { Replica } from '../core/replica.ts'

/** how long blocks may wait for ancestors without any final progress before the replica counts as lagging (ms) */
export const DEFAULT_STUCK_MS = 5000

/**
 * Tells when a replica can no longer catch up from blocks (issue #8), so its runtime restarts it from a peer's
 * certified base (peerBases.ts): it holds nothing at all (a new device, or storage wiped) while peers offer bases, or
 * blocks have waited for missing ancestors for `stuckMs` without a single block becoming final — what a replica
 * behind everyone's pruning point sees: the tail cites blocks nobody serves any more ("pruned here", or just never
 * delivered over the relay). A replica merely slow to receive makes final progress and never trips it. Only a
 * trigger: what the runtime then restores from is verified (restoreOffered), and must be newer than what it has.
 */
export class LagWatch {
  private final = -1
  private since: number | undefined

  constructor(private readonly stuckMs = DEFAULT_STUCK_MS) {}

  /** `now` in ms from any monotonic source. */
  lagging(replica: Replica, now: number): boolean {
    if (replica.nodes.size === 0) return true
    const final = replica.prunedCount + replica.finalCount
    if (replica.bufferedCount === 0 || final !== this.final) {
      this.final = final
      this.since = replica.bufferedCount === 0 ? undefined : now
      return false
    }
    this.since ??= now
    return now - this.since >= this.stuckMs
  }
}
