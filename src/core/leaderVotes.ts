import type { Node } from './dagNode.ts'
import { leaderOf } from './leaders.ts'
import { entry } from './mapEntry.ts'

/**
 * The DAG's support for leader slots, recorded as each block joins (what the commit rule in committer.ts reads):
 * a block of round r ≥ 2 votes for the first block of round r − 1's leader slot among its references, or skips the
 * slot (`skipVoters`); a block of round r ≥ 3 whose references to round r − 1 hold votes by q distinct authors for
 * one leader block of round r − 2 is a certificate for it (`certifiers`, `certificates`). Mysticeti-C, §3.
 */
export function countVotes(node: Node, n: number, q: number, skipVoters: Map<number, Set<number>>): void {
  const r = node.round
  if (r < 2) return
  const leader = leaderOf(r - 1, n)
  node.vote = null
  for (const ref of node.refs)
    if (ref.author === leader && ref.round === r - 1) {
      node.vote = ref
      break
    }
  if (node.vote === null) entry(skipVoters, r - 1, () => new Set()).add(node.author)
  if (r < 3) return
  // a certificate for L (round r − 2): references to round r − 1 blocks by q distinct authors supporting L
  const tally = new Map<Node, Set<number>>()
  for (const ref of node.refs) {
    if (ref.round !== r - 1 || !ref.vote) continue
    entry(tally, ref.vote, () => new Set<number>()).add(ref.author)
  }
  for (const [target, voters] of tally) {
    if (voters.size < q) continue
    target.certifiers ??= new Set()
    target.certificates ??= []
    target.certifiers.add(node.author)
    target.certificates.push(node)
  }
}
