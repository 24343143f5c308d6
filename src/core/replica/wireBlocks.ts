import { encodeBlock } from '../block.ts'
import type { Node } from '../dagNode.ts'

/**
 * Wire bytes of every block among `nodes` that is not pruned, by round then id (ancestors first): what a peer needs to
 * catch up. Encodes a block whose bytes are not kept, once.
 */
export function wireBlocks(nodes: Iterable<Node>): Uint8Array[] {
  return [...nodes]
    .filter((n) => !n.pruned)
    .sort((a, b) => a.round - b.round || (a.hex < b.hex ? -1 : 1))
    .map((n) => {
      n.bytes ??= encodeBlock(n.block)
      return n.bytes
    })
}
