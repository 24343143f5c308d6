/** a changed map entry waiting for validation; `overwrote` when its key names a block this peer holds */
export type Entry = { key: string; writer: number; bytes: Uint8Array; overwrote: boolean }

/**
 * Map entries set aside instead of decoded: those of flagged writers (parked, bounded, decoded only when wanted or
 * a few at a time on the catch-up tick), and those the replica refused for a full pending buffer (retried when
 * blocks get accepted).
 */
export class WaitingEntries {
  /** entries of flagged clients, decoded only on demand */
  private readonly parked = new Map<string, Entry>()
  /** entries the replica refused for a full pending buffer: retried when blocks get accepted */
  private readonly full = new Map<string, Entry>()

  constructor(private readonly maxParked: number) {}

  /** The key changed again: what waited under it is stale. */
  forget(key: string): void {
    this.parked.delete(key)
    this.full.delete(key)
  }

  park(e: Entry): void {
    this.parked.delete(e.key)
    this.parked.set(e.key, e)
    if (this.parked.size > this.maxParked) this.parked.delete(this.parked.keys().next().value!)
  }

  /** The most recently parked entries, taken out of the parking. */
  takeParked(n: number): Entry[] {
    const out = [...this.parked.values()].slice(-n)
    for (const e of out) this.parked.delete(e.key)
    return out
  }

  refusedFull(e: Entry): void {
    this.full.set(e.key, e)
  }

  /** Every entry refused for a full buffer, taken out. */
  takeFull(): Entry[] {
    const out = [...this.full.values()]
    this.full.clear()
    return out
  }

  /** Parked or refused entries under the ids `ids` (unless `held`), taken out: decoded whoever wrote them. */
  takeDemanded(ids: Iterable<string>, held: (id: string) => boolean): Entry[] {
    const out: Entry[] = []
    for (const id of ids) {
      const e = this.parked.get(id) ?? this.full.get(id)
      if (!e || held(id)) continue
      this.forget(id)
      out.push(e)
    }
    return out
  }
}
