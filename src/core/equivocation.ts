import { blockHeader } from './block.ts'
import type { Hex } from './bytes.ts'
import type { Node } from './dagNode.ts'
import type { BlockHeaderFields } from './eip712.ts'

/** Two validly signed headers by one author at one seq or one round: what the contract's slash() takes. */
export type Equivocation = {
  author: number
  seq: number
  round: number
  a: { header: BlockHeaderFields; signature: Uint8Array; id: Hex }
  b: { header: BlockHeaderFields; signature: Uint8Array; id: Hex }
}

/**
 * Files the signed pair `node` / `other` (one author, one seq or one round) in `list`, ordered by id, once. A stub
 * (pruned, or restored as an expired header) keeps no header: the author is known to fork, the pair is with peers
 * that hold both blocks. An expired header accepted from the wire keeps its block, so its forks are provable.
 */
export function recordEvidence(list: Equivocation[], node: Node, other: Node): void {
  if (node.pruned || other.pruned) return
  const a = other.hex < node.hex ? other : node
  const b = a === other ? node : other
  // a reload re-ingests the tail: evidence restored from the pruned base is not recorded twice
  if (list.some((e) => e.a.id === a.hex && e.b.id === b.hex)) return
  list.push({
    author: node.author,
    seq: node.seq,
    round: node.round,
    a: { header: blockHeader(a.block), signature: a.block.signature, id: a.hex },
    b: { header: blockHeader(b.block), signature: b.block.signature, id: b.hex },
  })
}
