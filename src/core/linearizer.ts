import type { Node } from './dagNode.ts'
import { slotOffset } from './leaders.ts'

/**
 * Order inside a round: by leader slot (leaders.ts: the primary leader first, then the rotation), then id. The
 * commit rule emits slots in this order too, so for the pending tail and for committed histories alike a commit
 * at steady state emits exactly a prefix of what was already applied optimistically and nothing is replayed.
 */
export function compareInRound(a: Node, b: Node, n: number): number {
  if (a.round !== b.round) return a.round - b.round
  if (a.author !== b.author) return slotOffset(a.author, a.round, n) - slotOffset(b.author, b.round, n)
  return a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0
}

/** The not-yet-committed causal history of `leader`, in final order (see compareInRound). */
export function linearize(leader: Node, n: number, isCommitted: (x: Node) => boolean): Node[] {
  const out: Node[] = []
  const seen = new Set<Node>([leader])
  const stack = [leader]
  while (stack.length > 0) {
    const x = stack.pop()!
    out.push(x)
    for (const r of x.refs)
      if (!seen.has(r) && !isCommitted(r)) {
        seen.add(r)
        stack.push(r)
      }
  }
  return out.sort((a, b) => compareInRound(a, b, n))
}
