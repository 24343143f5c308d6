import { toHex } from '../bytes.ts'
import { betterTip } from '../finalWindow.ts'
import type { PrunedRef } from './frontier.ts'

/**
 * Each author's final tip among a base's stubs: its final stub of the highest seq, the lowest id among twins (not
 * expired, not void by a replaced key) — what the checkpoint's final window commits to (finalWindow.ts) when the
 * base is honest, since a pruner keeps every author's tip as of its pruning leader (Pruning.raiseFloor).
 */
export function derivedTips(frontier: readonly PrunedRef[], n: number): (PrunedRef | undefined)[] {
  const tips: (PrunedRef | undefined)[] = new Array(n).fill(undefined)
  for (const r of frontier)
    if (
      !r.expired &&
      !r.revoked &&
      betterTip(r.seq, r.id, tips[r.author] && { seq: tips[r.author]!.seq, hex: tips[r.author]!.id })
    )
      tips[r.author] = r
  return tips
}

/**
 * Why a base's final stubs below the certified window are not its authors' certified final chains, or undefined
 * (CONTEXT.md, "Rejoin after everyone pruned"). Each author's chain runs from its certified tip down the prev links
 * of the stubs' seals (signed, so hash-linked real blocks) for as long as the base holds them. A stub the base calls
 * final must be in the certified window (`windowIds`: twins included), on its author's chain, or — for an author
 * proven to fork in the certified state — a twin of a block on it (both branches of a proven fork are final);
 * void stubs (a replaced key) count for nothing. And no block on a chain at or above the expiry horizon of the
 * pruning leader (`horizon`) may be flagged expired: a block a final one descends from there is final itself.
 * Linear in the frontier.
 */
export function finalChainProblem(
  frontier: readonly PrunedRef[],
  tips: readonly (PrunedRef | undefined)[],
  windowIds: ReadonlySet<string>,
  proven: readonly boolean[],
  horizon: number,
): string | undefined {
  const byId = new Map(frontier.map((r) => [r.id, r]))
  const onChain = new Set<string>()
  const chainSeqs = tips.map(() => new Set<number>())
  for (const [a, tip] of tips.entries()) {
    for (let r = tip; r && !onChain.has(r.id); ) {
      if (r.author !== a) return `stub ${r.id}: on participant ${a}'s chain but not its block`
      if (r.expired && r.round >= horizon)
        return `stub ${r.id}: final (on its author's chain) but flagged expired`
      onChain.add(r.id)
      chainSeqs[a]!.add(r.seq)
      const prev = r.seal?.prev
      r = prev && r.seq > 1 ? byId.get(toHex(prev)) : undefined
    }
  }
  for (const r of frontier) {
    if (r.expired || r.revoked || onChain.has(r.id) || windowIds.has(r.id)) continue
    if (proven[r.author] && chainSeqs[r.author]!.has(r.seq)) continue
    return `stub ${r.id}: final per the base, but neither in the certified window nor on its author's certified chain`
  }
  return undefined
}
