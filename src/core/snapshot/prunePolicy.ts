import type { SettlementPhase } from '../phase.ts'

/**
 * When a participant prunes (Replica.prune): at most once per `everyCheckpoints` newly certified checkpoints, and
 * only when at least `minBlocks` final blocks would go. Fewer prunings keep the stored base's rewrites rare (each
 * one writes the whole state); `minBlocks` keeps a quiet channel from rewriting it for a handful of blocks.
 */
export type PrunePolicy = { everyCheckpoints: number; minBlocks: number }

/** The app's default: every certified checkpoint that frees at least 2,000 final blocks. */
export const DEFAULT_PRUNE_POLICY: PrunePolicy = { everyCheckpoints: 1, minBlocks: 2_000 }

export type PruneDueParameters = {
  /** the channel's settlement phase on chain as last read */
  phase: SettlementPhase
  /** version of the newest checkpoint signed by a quorum (undefined: none yet) */
  certified: bigint | undefined
  /** the checkpoint this replica last pruned at (0n: never) */
  prunedVersion: bigint
  /** final blocks up to the certified checkpoint's leader that are not pruned yet */
  prunable: number
  /** true while an earlier pruning's base is still being written */
  writing: boolean
}

/**
 * Whether to prune now. Never while a settlement is under way on chain (or before the phase was read): a claim
 * or challenge needs the state of the checkpoint the contract holds, and pruning past it would leave only newer
 * states (prune keeps the pruning checkpoint's state and an older fully signed one, not every version). Never
 * while the previous base is not durable yet, so bases are written one at a time and in order.
 */
export function pruneDue(p: PruneDueParameters, policy: PrunePolicy = DEFAULT_PRUNE_POLICY): boolean {
  if (p.phase !== 'open' || p.writing || p.certified === undefined) return false
  if (p.certified < p.prunedVersion + BigInt(Math.max(1, policy.everyCheckpoints))) return false
  return p.prunable >= Math.max(1, policy.minBlocks)
}

/**
 * A policy from untrusted text (a setting, a URL parameter): both fields positive integers, else the default.
 * Returns the default for anything it cannot read.
 */
export function parsePrunePolicy(text: string | null | undefined): PrunePolicy {
  if (!text) return DEFAULT_PRUNE_POLICY
  try {
    const v = JSON.parse(text) as Partial<PrunePolicy>
    const ok = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 1
    return {
      everyCheckpoints: ok(v.everyCheckpoints) ? v.everyCheckpoints : DEFAULT_PRUNE_POLICY.everyCheckpoints,
      minBlocks: ok(v.minBlocks) ? v.minBlocks : DEFAULT_PRUNE_POLICY.minBlocks,
    }
  } catch {
    return DEFAULT_PRUNE_POLICY
  }
}
