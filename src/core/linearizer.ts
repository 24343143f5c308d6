import type { Node } from './dagNode.ts'
import { leaderOf } from './leaders.ts'

/**
 * Order inside a round: the round's leader first, then by author, then id. Used for a committed leader's
 * history and for the pending tail alike, so that at steady state a commit emits exactly a prefix of what was
 * already applied optimistically and nothing is replayed.
 */
export function compareInRound(a: Node, b: Node, n: number): number {
  if (a.round !== b.round) return a.round - b.round
  const la = a.author === leaderOf(a.round, n) ? 0 : 1
  const lb = b.author === leaderOf(b.round, n) ? 0 : 1
  if (la !== lb) return la - lb
  if (a.author !== b.author) return a.author - b.author
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
