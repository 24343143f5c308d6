import { toHex } from '../core/bytes.ts'
import { UNCOMMITTED } from '../core/dagNode.ts'
import type { SettlementPhase } from '../core/phase.ts'
import type { Replica } from '../core/replica.ts'
import { encodeBase } from '../core/snapshot/base.ts'
import { DEFAULT_PRUNE_POLICY, type PrunePolicy, pruneDue } from '../core/snapshot/prunePolicy.ts'
import type { ChannelDoc } from '../sync/channelDoc.ts'
import type { PrunedBaseStoreHandle } from '../sync/ownBlocks.ts'
import type { PeerBases } from '../sync/peerBases.ts'

/** localStorage key of a pruning policy override (JSON {everyCheckpoints, minBlocks}; parsePrunePolicy) */
export const PRUNE_POLICY_KEY = 'chx-prune-policy'

export type PrunerParameters = {
  replica: Replica
  /** the shared doc: entries of pruned blocks go once the base is durable */
  doc: ChannelDoc
  /** where the base goes, with the pruned own blocks deleted in the same transaction */
  store: PrunedBaseStoreHandle
  /** the local participant (whose own blocks are dropped from the store) */
  me: number
  /** the on-chain settlement phase as last read */
  phase: () => SettlementPhase
  policy?: PrunePolicy
  /** where the durable base is offered to peers behind everyone's pruning point (sync/peerBases.ts) */
  bases?: PeerBases
}

/** One pruning: the checkpoint pruned at, blocks dropped, base size, and how long each step took (ms). */
export type PruneReport = {
  version: bigint
  /** final blocks pruned so far (the absolute position of the first block kept) */
  position: number
  /** doc entries deleted */
  dropped: number
  baseBytes: number
  pruneMs: number
  storeMs: number
}

/**
 * The writer tab's pruning (issue #8): when the policy says so (prunePolicy.ts), prunes the replica at the newest
 * certified checkpoint, stores the base durably together with deleting the pruned own blocks (one IndexedDB
 * transaction), and only then deletes the pruned blocks' entries from the shared doc (and so from its IndexedDB
 * copy), and offers the base to peers (peerBases.ts). A crash before the base is durable leaves every block in
 * place; one after leaves stale doc entries that the next start drops (a restored replica never decodes them). One
 * pruning at a time.
 */
export class Pruner {
  private writing = false
  private readonly policy: PrunePolicy
  /** every pruning done by this runtime, oldest first (diagnostics, window.__chx) */
  readonly reports: PruneReport[] = []
  /** the last storage failure, if the newest pruning's base could not be written */
  error: string | undefined

  constructor(private readonly p: PrunerParameters) {
    this.policy = p.policy ?? DEFAULT_PRUNE_POLICY
  }

  /** Final blocks up to the newest certified checkpoint's leader that are not pruned yet. */
  prunable(): number {
    const cp = this.p.replica.latestCertified()
    const leader = cp && this.p.replica.nodes.get(toHex(cp.leader))
    if (!leader || leader.pruned || leader.commitIndex === UNCOMMITTED) return 0
    return leader.commitIndex + 1
  }

  due(): boolean {
    const r = this.p.replica
    return pruneDue(
      {
        phase: this.p.phase(),
        certified: r.latestCertified()?.version,
        prunedVersion: r.prunedVersion,
        prunable: this.prunable(),
        writing: this.writing,
      },
      this.policy,
    )
  }

  /** Prunes if due; resolves with the report once the base is durable and the doc entries are gone. */
  async check(): Promise<PruneReport | undefined> {
    if (!this.due()) return undefined
    this.writing = true
    try {
      const t0 = performance.now()
      const base = this.p.replica.prune(this.policy.minBlocks)
      if (!base) return undefined
      const bytes = encodeBase(base)
      const t1 = performance.now()
      // own blocks up to the pruning point are final, so every seq up to the highest committed one went
      const own = base.committedSeqs[this.p.me] ?? []
      const through = own.length > 0 ? own[own.length - 1]![1] : 0
      await this.p.store.storeBase(bytes, through)
      const t2 = performance.now()
      const dropped = this.p.doc.dropPruned()
      this.p.bases?.publish(bytes)
      const report: PruneReport = {
        version: base.version,
        position: base.position,
        dropped,
        baseBytes: bytes.length,
        pruneMs: t1 - t0,
        storeMs: t2 - t1,
      }
      this.reports.push(report)
      if (this.reports.length > 100) this.reports.shift()
      this.error = undefined
      return report
    } catch (e) {
      // the replica pruned in memory but the base is not stored: the doc keeps every entry, so a reload replays
      // from the previous base; the next pruning writes a newer base
      this.error = e instanceof Error ? e.message : String(e)
      return undefined
    } finally {
      this.writing = false
    }
  }
}

/** Plain data about pruning for the runtime's view (window.__chx): what tests and diagnostics read. */
export function pruningView(
  replica: Replica,
  pruner: Pruner | undefined,
  restoredFrom: bigint | undefined,
  loadMs: number,
) {
  return {
    /** final blocks pruned, and the checkpoint pruned at */
    pruned: replica.prunedCount,
    prunedVersion: replica.prunedVersion.toString(),
    /** the checkpoint this start restored from (null: it replayed every stored block) */
    restoredFrom: restoredFrom?.toString() ?? null,
    /** ms from opening the stores to every stored block applied */
    loadMs,
    prunings: (pruner?.reports ?? []).map((x) => ({ ...x, version: x.version.toString() })),
    pruneError: pruner?.error ?? null,
  }
}
