import type { IngressReject } from '../core/replica.ts'

/** Why a Y.Map entry was judged invalid; every reason is charged to the Yjs client that wrote it. */
export type InvalidWrite =
  | 'bad-key'
  | 'not-bytes'
  | 'oversize'
  | 'overwrite'
  | 'wrong-key'
  | Exclude<IngressReject, 'buffer-full' | 'oversize' | 'below-floor' | 'expired-fork'>

export type ClientRecord = {
  clientID: number
  invalid: number
  /** entries skipped without decoding because the client was flagged */
  dropped: number
  reasons: Partial<Record<InvalidWrite, number>>
}

/**
 * The Yjs clients charged with invalid writes, and those flagged past the threshold (their entries are parked
 * without decoding). Client ids are free to make up, so records are bounded: unflagged ones live in insertion
 * order and the oldest is forgotten in O(1) past maxClientRecords; flagged ones move to their own bounded table
 * (the oldest forgotten past maxFlaggedRecords).
 */
export class WriterRecords {
  /** Yjs clients charged with invalid writes, below the flag threshold (insertion order) */
  private readonly clients = new Map<number, ClientRecord>()
  /** Yjs clients past the flag threshold */
  private readonly flagged = new Map<number, ClientRecord>()

  constructor(
    readonly flagThreshold: number,
    private readonly maxClientRecords: number,
    private readonly maxFlaggedRecords: number,
  ) {}

  /** Charges an invalid write to its Yjs client. */
  charge(writer: number, reason: InvalidWrite): void {
    let c = this.clients.get(writer) ?? this.flagged.get(writer)
    if (!c) {
      c = { clientID: writer, invalid: 0, dropped: 0, reasons: {} }
      this.clients.set(writer, c)
      if (this.clients.size > this.maxClientRecords) this.clients.delete(this.clients.keys().next().value!)
    }
    c.invalid++
    c.reasons[reason] = (c.reasons[reason] ?? 0) + 1
    if (c.invalid === this.flagThreshold && this.clients.delete(writer)) {
      this.flagged.set(writer, c)
      if (this.flagged.size > this.maxFlaggedRecords) this.flagged.delete(this.flagged.keys().next().value!)
    }
  }

  /** Counts an entry of a flagged writer skipped without decoding. */
  dropped(writer: number): void {
    this.flagged.get(writer)!.dropped++
  }

  invalidOf(writer: number): number {
    return (this.clients.get(writer) ?? this.flagged.get(writer))?.invalid ?? 0
  }

  isFlagged(clientID: number): boolean {
    return this.flagged.has(clientID)
  }

  /** Yjs clients charged with at least one invalid write, most charged first. */
  records(): ClientRecord[] {
    return [...this.flagged.values(), ...this.clients.values()].sort(
      (a, b) => b.invalid - a.invalid || a.clientID - b.clientID,
    )
  }

  /** Yjs clients past the threshold, most charged first. */
  flaggedRecords(): ClientRecord[] {
    return [...this.flagged.values()].sort((a, b) => b.invalid - a.invalid || a.clientID - b.clientID)
  }
}
