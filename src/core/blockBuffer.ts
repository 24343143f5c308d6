import type { Hex } from './bytes.ts'
import type { Node } from './dagNode.ts'

/**
 * Blocks whose references are not all known yet, bounded per author: past `perAuthor` an author's oldest buffered
 * block is evicted, so a flood of unconnectable blocks only displaces the flooder's own. Each missing id keeps at
 * most 4n waiters. The DAG (dag.ts) parks a block here and takes its waiters back as their references arrive.
 */
export class BlockBuffer {
  /** missing id → blocks waiting for it */
  private readonly waiting = new Map<Hex, Node[]>()
  private readonly buffered = new Map<Hex, Node>()
  /** per author, oldest first */
  private readonly byAuthor: Node[][]
  /**
   * At most the lowest round of a buffered block that is no header and that `below` has not returned yet (exact
   * after `below`; eviction and take only leave it lower)
   */
  private lowest = Number.POSITIVE_INFINITY

  constructor(
    private readonly n: number,
    private readonly perAuthor: number,
  ) {
    this.byAuthor = Array.from({ length: n }, () => [])
  }

  get size(): number {
    return this.buffered.size
  }

  /** Whether block `hex` is waiting here. */
  has(hex: Hex): boolean {
    return this.buffered.has(hex)
  }

  /** Parks `node` until every id in `missing` is known, evicting its author's oldest block past the quota. */
  park(node: Node, missing: readonly Hex[]): void {
    if (!node.expired && node.round < this.lowest) this.lowest = node.round
    const mine = this.byAuthor[node.author]!
    if (mine.length >= this.perAuthor) {
      const old = mine.shift()!
      this.buffered.delete(old.hex)
    }
    mine.push(node)
    this.buffered.set(node.hex, node)
    for (const m of missing) {
      const list = this.waiting.get(m)
      if (!list) this.waiting.set(m, [node])
      else if (list.length < this.n * 4) list.push(node)
    }
  }

  /** The blocks that waited for `id`, forgetting that they did (some may have been evicted or taken since). */
  waitersOf(id: Hex): Node[] | undefined {
    const waiters = this.waiting.get(id)
    if (waiters) this.waiting.delete(id)
    return waiters
  }

  /** Takes `node` out of the buffer (its references are all known now). */
  take(node: Node): void {
    this.buffered.delete(node.hex)
    const list = this.byAuthor[node.author]!
    list.splice(list.indexOf(node), 1)
  }

  /**
   * The buffered blocks of a round below `round` (expired headers waiting for their prev aside: decided already),
   * oldest first per author. O(1) while no block that low was parked
   * since the last call; otherwise one pass over the buffer (at most perAuthor · n blocks), which also makes the
   * bound exact again, so a horizon that rises every commit costs a pass only when it passes a buffered block.
   */
  below(round: number): Node[] {
    if (round <= this.lowest) return []
    const out: Node[] = []
    let lowest = Number.POSITIVE_INFINITY
    for (const list of this.byAuthor)
      for (const x of list) {
        if (x.expired) continue
        if (x.round < round) out.push(x)
        else if (x.round < lowest) lowest = x.round
      }
    this.lowest = lowest
    return out
  }

  /** Ids that buffered blocks wait for and `known` does not hold, at most `limit`. */
  wanted(limit: number, known: (id: Hex) => boolean): Hex[] {
    const out: Hex[] = []
    for (const id of this.waiting.keys()) {
      if (out.length >= limit) break
      if (!known(id)) out.push(id)
    }
    return out
  }
}
