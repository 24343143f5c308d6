import type { Replica } from '../core/replica.ts'
import type { PrunedBase } from '../core/snapshot/base.ts'
import { LagWatch } from '../sync/lagWatch.ts'
import type { PeerBases } from '../sync/peerBases.ts'

/** Where catching up from a peer's certified base stands (issue #8), for the UI and window.__chx. */
export type CatchUpStatus =
  | { phase: 'idle' }
  /**
   * behind everyone's pruning point and no offered base verifies (yet), or diverged (`diverged`: q participants
   * signed a checkpoint this replica computed otherwise) and no other base verifies: the reason says why
   */
  | { phase: 'failed'; reason: string; diverged?: true }
  /** a base verified: the replica restarts from it */
  | { phase: 'restoring'; version: bigint; signers: number; participants: number; from: number }
  | {
      phase: 'restored'
      version: bigint
      signers: number
      participants: number
      from: number
      /** ms from seeing the lag to the restored replica holding the doc's tail */
      ms: number
    }

/** What the runtime restarts from: the verified base, and how it got there. */
export type Restart = { base: PrunedBase; status: Extract<CatchUpStatus, { phase: 'restoring' }> }

export type RejoinerParameters = {
  bases: PeerBases
  replica: Replica
  /** a fresh replica for the channel (with the author key where the caller authors) */
  make: () => Replica
  /** stops sealing until the returned release is called (ChannelSession.hold) */
  hold: () => () => void
  stuckMs?: number
  /** the peer's base this replica was restored from (the runtime's restart), if it was */
  restoredFrom?: { from: number; version: bigint }
}

/**
 * The runtime side of catching up (issue #8; the browser runtime): on each check, whether the
 * replica can only go on from a peer's base (LagWatch, sync/lagWatch.ts) and, if so, the newest offered base that
 * verifies (PeerBases.best: q signatures and roots) and is newer than anything the replica computed. While lagging
 * the session seals nothing — an empty replica (a new device) sealing would reuse its own old seqs, and a replica
 * behind the floor writes blocks nobody accepts — and the caller refuses new ops. An empty replica in a channel
 * where nobody offers a base and no block waits is simply a new channel, and authors.
 */
export class Rejoiner {
  status: CatchUpStatus = { phase: 'idle' }
  private readonly watch: LagWatch
  private release: (() => void) | undefined
  private since: number | undefined

  constructor(private readonly p: RejoinerParameters) {
    this.watch = new LagWatch(p.stuckMs)
  }

  /** true while sealing is held for a catch-up */
  get lagging(): boolean {
    return this.release !== undefined
  }

  /** One check (a timer calls it); returns the base to restart from when one verified. `now` in ms. */
  check(now: number): Restart | undefined {
    const r = this.p.replica
    const empty = r.nodes.size === 0
    const offered = this.p.bases.offers().length > 0
    // q participants signed a checkpoint this replica computed otherwise: its state left the channel's (a peer's
    // base lied where nothing checks it); it restores from another base, of at least the version it started from
    const diverged = r.divergence()
    // an empty replica must not author while the channel has a history (blocks waiting, or a base offered); a
    // replica holding blocks is held only once a newer verified base exists (a stray block with made-up parents in
    // an idle channel looks stuck too, and must not stop it)
    const stuck =
      diverged !== undefined || (empty ? offered || r.bufferedCount > 0 : this.watch.lagging(r, now))
    if (!stuck) return this.clear()
    this.since ??= now
    let above = r.latestCheckpointVersion
    if (diverged) {
      const from = this.p.restoredFrom
      const why = `its base left this replica at checkpoint ${diverged.version}, where ${diverged.signers} participants signed another digest`
      if (from) this.p.bases.distrust(from.from, from.version, why)
      above = (from?.version ?? r.prunedVersion) - 1n
    }
    const best = this.p.bases.best(this.p.make, above)
    if (!best.ok) {
      if (empty || diverged) this.release ??= this.p.hold()
      this.status = {
        phase: 'failed',
        ...(diverged ? { diverged: true as const } : {}),
        reason: diverged
          ? `this replica's checkpoint ${diverged.version} differs from the one ${diverged.signers} participants signed, and no other base verifies: ${best.reason}`
          : offered
            ? best.reason
            : 'no peer offers a base yet (waiting for a participant that pruned)',
      }
      return undefined
    }
    this.release ??= this.p.hold()
    this.status = {
      phase: 'restoring',
      version: best.base.version,
      signers: best.signers,
      participants: r.channel.config.participants.length,
      from: best.from,
    }
    return { base: best.base, status: this.status }
  }

  private clear(): undefined {
    this.stop()
    if (this.status.phase === 'failed') this.status = { phase: 'idle' }
    return undefined
  }

  /** ms since the lag was first seen (for the restored status) */
  elapsed(now: number): number {
    return this.since === undefined ? 0 : now - this.since
  }

  /** Releases the hold (the runtime's restart and destroy). */
  stop(): void {
    this.release?.()
    this.release = undefined
    this.since = undefined
  }
}

/** The status as plain data (bigints as strings) for the runtime's view (window.__chx). */
export function catchUpView(s: CatchUpStatus) {
  if (s.phase === 'idle' || s.phase === 'failed') return { ...s }
  return { ...s, version: s.version.toString() }
}
