import type * as Y from 'yjs'
import { bytesEqual } from '../core/bytes.ts'

type Write = { bytes: Uint8Array; kind: 'repair' | 'publish' }

/** The counters of what DocWrites did, kept in ChannelDoc.stats. */
export type WriteStats = { repaired: number; stuck: number; published: number; removed: number }

/**
 * What ChannelDoc writes to the map: publications and repairs (at most maxRepairsPerKey per key until the key is
 * seen valid again) and removals of invalid entries, written in transactions of bounded size under the ChannelDoc
 * as origin (so its own observer skips them), skipping keys that already hold the bytes.
 */
export class DocWrites {
  private readonly writes = new Map<string, Write>()
  /** keys holding invalid entries (no block of ours): removed from the doc so they do not stay there forever */
  private readonly deletes = new Set<string>()
  private readonly repairs = new Map<string, number>()

  constructor(
    private readonly doc: Y.Doc,
    private readonly map: Y.Map<unknown>,
    /** the transaction origin: the ChannelDoc */
    private readonly origin: unknown,
    private readonly stats: WriteStats,
    private readonly maxRepairsPerKey: number,
    private readonly maxTransactionBytes: number,
  ) {}

  publish(key: string, bytes: Uint8Array): void {
    this.writes.set(key, { bytes, kind: 'publish' })
  }

  repair(key: string, bytes: Uint8Array): void {
    const n = this.repairs.get(key) ?? 0
    if (n >= this.maxRepairsPerKey) {
      this.stats.stuck++
      return
    }
    this.repairs.set(key, n + 1)
    this.writes.set(key, { bytes, kind: 'repair' })
  }

  /** The key was seen holding its valid block: repairs of it may start over. */
  seenValid(key: string): void {
    this.repairs.delete(key)
  }

  /** Removes an invalid entry at the next write, unless its key holds a block of ours by then. */
  remove(key: string): void {
    this.deletes.add(key)
  }

  /** Writes queued entries in transactions of bounded size, skipping keys that already hold the bytes. */
  writeAll(heldBytes: (key: string) => Uint8Array | undefined): void {
    if (this.deletes.size > 0) {
      const keys = [...this.deletes]
      this.deletes.clear()
      this.doc.transact(() => {
        for (const key of keys)
          if (this.map.has(key) && !heldBytes(key)) {
            this.map.delete(key)
            this.stats.removed++
          }
      }, this.origin)
    }
    if (this.writes.size === 0) return
    const list = [...this.writes]
    this.writes.clear()
    let i = 0
    while (i < list.length) {
      let size = 0
      this.doc.transact(() => {
        while (
          i < list.length &&
          (size === 0 || size + list[i]![1].bytes.length <= this.maxTransactionBytes)
        ) {
          const [key, w] = list[i++]!
          const cur = this.map.get(key)
          if (cur instanceof Uint8Array && bytesEqual(cur, w.bytes)) continue
          this.map.set(key, w.bytes)
          size += w.bytes.length
          this.stats[w.kind === 'repair' ? 'repaired' : 'published']++
        }
      }, this.origin)
    }
  }
}
