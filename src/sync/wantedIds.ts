import type { Hex } from '../core/bytes.ts'
import { BLOCK_KEY } from './causalOrder.ts'

/**
 * Ids this peer lacks and knows of, to fetch by id (catchUp.ts) or to decode when the doc holds them parked: the
 * missing ancestors of buffered blocks (shared out per author of the waiting block, so one author citing made-up
 * parents cannot crowd out another's real ones), then heads peers hinted at (bounded, each asked for a few times),
 * minus the ids peers answered they pruned.
 */
export class WantedIds {
  /** ids this peer lacks and knows of (ancestors of buffered blocks), per author of the block that waits for them */
  private readonly wantedBy = new Map<number, Set<Hex>>()
  private readonly wanted = new Set<Hex>()
  /** ids peers answered they pruned: not asked for again (bounded, oldest forgotten) */
  private readonly prunedAtPeers = new Set<Hex>()
  /** ids peers hinted at, with how often they were asked for */
  private readonly hinted = new Map<Hex, number>()

  constructor(
    /** whether this peer holds the block (validated, pruned or waiting for ancestors) */
    private readonly knows: (id: string) => boolean,
    private readonly maxWanted: number,
    private readonly maxHinted: number,
    private readonly hintRequests: number,
  ) {}

  /** Notes the missing ancestors of a block by `author` that waits for them (`n` participants). */
  missing(author: number, missing: Iterable<Hex>, n: number): void {
    let mine = this.wantedBy.get(author)
    if (!mine) {
      mine = new Set()
      this.wantedBy.set(author, mine)
    }
    const share = Math.max(16, Math.floor(this.maxWanted / n))
    for (const m of missing) {
      if (this.wanted.has(m)) continue
      if (mine.size >= share) {
        const oldest = mine.values().next().value!
        mine.delete(oldest)
        this.wanted.delete(oldest)
      }
      mine.add(m)
      this.wanted.add(m)
    }
  }

  /** Forgets wants and hints that were found (`found`: the replica holds the block). */
  forgetFound(found: (id: Hex) => boolean): void {
    for (const id of this.wanted)
      if (found(id)) {
        this.wanted.delete(id)
        for (const set of this.wantedBy.values()) set.delete(id)
      }
    for (const id of this.hinted.keys()) if (found(id)) this.hinted.delete(id)
  }

  isWanted(id: string): boolean {
    return this.wanted.has(id as Hex) || this.hinted.has(id as Hex)
  }

  /** Wanted and hinted ids, wanted first. */
  all(): Hex[] {
    return [...this.wanted, ...this.hinted.keys()]
  }

  /** A peer answered it pruned `id`: not asked for again. Returns false for an id not worth noting. */
  prunedAtPeer(id: string): boolean {
    if (!BLOCK_KEY.test(id) || this.knows(id)) return false
    this.prunedAtPeers.add(id as Hex)
    if (this.prunedAtPeers.size > this.maxWanted)
      this.prunedAtPeers.delete(this.prunedAtPeers.values().next().value!)
    this.hinted.delete(id as Hex)
    return true
  }

  /** Notes ids a peer hinted at (heads it advertises). */
  hint(ids: Iterable<string>): void {
    for (const id of ids) {
      if (
        !BLOCK_KEY.test(id) ||
        this.hinted.has(id as Hex) ||
        this.wanted.has(id as Hex) ||
        this.knows(id) ||
        this.prunedAtPeers.has(id as Hex)
      )
        continue
      this.hinted.set(id as Hex, 0)
      if (this.hinted.size > this.maxHinted) this.hinted.delete(this.hinted.keys().next().value!)
    }
  }

  /** See ChannelDoc.wants. */
  take(limit: number): Hex[] {
    const out: Hex[] = []
    // round robin over the authors whose blocks wait, so every author's missing ancestors get asked for
    const iters = [...this.wantedBy.values()].map((set) => set.values())
    for (let progress = true; progress && out.length < limit; ) {
      progress = false
      for (const it of iters) {
        if (out.length >= limit) break
        for (let next = it.next(); !next.done; next = it.next())
          if (!this.knows(next.value) && !this.prunedAtPeers.has(next.value)) {
            out.push(next.value)
            progress = true
            break
          }
      }
    }
    if (out.length >= limit) return out
    for (const [id, asked] of this.hinted) {
      if (out.length >= limit) break
      if (this.knows(id)) continue
      out.push(id)
      if (asked + 1 >= this.hintRequests) this.hinted.delete(id)
      else this.hinted.set(id, asked + 1)
    }
    return out
  }
}
