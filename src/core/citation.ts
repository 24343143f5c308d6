import { MAX_PARENTS } from './block.ts'
import type { Dag } from './dag.ts'
import type { Node } from './dagNode.ts'

/**
 * The citation policy (local, not validity; CONTEXT.md, "Bounded frontier" and "Chain restart"): sets `node.late`
 * (honest authoring never cites it as a parent) and `node.lateHistory` (its history may hold a block a pruned
 * replica cannot accept). A block is late when it arrived more than D + K rounds below the quorum round, or when
 * its history is: it cites a late parent, its prev's history is, or it forks its author's chain from a prev more
 * than D rounds below while another block of its author holds its seq. A prev that merely arrived late passes
 * nothing on: it is on its author's chain, which every replica can follow (in full above its floor, as an expired
 * header below the expiry horizon), so the author's next block may be cited — the chain restart.
 */
export function markLate(dag: Dag, node: Node): void {
  const arrived = node.round + dag.refDepth + dag.lateSlack < dag.quorumRound
  const first = node.seq > 1 ? 1 : 0
  const prev = first === 1 ? node.refs[0]! : undefined
  let history = prev?.lateHistory === true
  for (let i = first; i < node.refs.length && !history; i++) if (node.refs[i]!.late) history = true
  if (prev && prev.round < node.round - dag.refDepth && dag.bySeq[node.author]!.has(node.seq)) history = true
  node.lateHistory = history
  node.late = arrived || history
}

/**
 * References for a new block of `round` (its prev excluded): one block per author of round − 1 (so the quorum rule
 * holds), then the other frontier blocks of lower rounds, highest first, up to MAX_PARENTS. Never a late block
 * (unless round − 1 has no quorum without one), a block signed by a replaced key, or a head more than D rounds below.
 */
export function parentsFor(dag: Dag, round: number, prev: Node | undefined): Node[] {
  const out: Node[] = []
  const taken = new Set<Node>()
  if (prev) taken.add(prev)
  const below = dag.byRound.get(round - 1) ?? []
  const byAuthor = new Set<number>()
  if (prev && prev.round === round - 1) byAuthor.add(prev.author)
  // late blocks only when the others do not make a quorum (a valid block first, the citation policy second)
  for (const late of [false, true]) {
    if (late && byAuthor.size >= dag.q) break
    for (const b of below) {
      if (byAuthor.has(b.author) || b.late !== late || b.expired || dag.isRevoked(b)) continue
      byAuthor.add(b.author)
      out.push(b)
      taken.add(b)
    }
  }
  // other frontier blocks, at most one per slot: an equivocator's hundred forks cost one reference
  const rest: Node[] = []
  const slots = new Set<string>()
  for (const x of out) slots.add(`${x.author}:${x.round}`)
  const heads = [...dag.heads].map((h) => dag.nodes.get(h)!)
  heads.sort((a, b) => b.round - a.round || (a.hex < b.hex ? -1 : 1))
  for (const x of heads) {
    const slot = `${x.author}:${x.round}`
    if (x.round >= round || taken.has(x) || x.author === prev?.author || slots.has(slot)) continue
    if (x.round < round - dag.refDepth || x.late || dag.isRevoked(x)) continue
    slots.add(slot)
    rest.push(x)
  }
  for (const x of rest) {
    if (out.length >= MAX_PARENTS) break
    out.push(x)
  }
  return out
}
