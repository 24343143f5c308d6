import type * as Y from 'yjs'
import { blockId, decodeBlock, encodeBlock, MAX_BLOCK_BYTES } from '../core/block.ts'
import { bytesEqual, type Hex, toHex } from '../core/bytes.ts'
import type { IngressReject, Node, ReceiveResult, Replica } from '../core/replica.ts'
import { BLOCK_KEY, causalOrder } from './causalOrder.ts'

/** Name of the Y.Map holding blocks: block id hex → wire bytes. */
export const BLOCKS_MAP = 'blocks'

/** Why a Y.Map entry was judged invalid; every reason is charged to the Yjs client that wrote it. */
export type InvalidWrite =
  | 'bad-key'
  | 'not-bytes'
  | 'oversize'
  | 'overwrite'
  | 'wrong-key'
  | Exclude<IngressReject, 'buffer-full' | 'oversize'>

export type ClientRecord = {
  clientID: number
  invalid: number
  /** entries skipped without decoding because the client was flagged */
  dropped: number
  reasons: Partial<Record<InvalidWrite, number>>
}

export type ChannelDocParameters = {
  doc: Y.Doc
  replica: Replica
  /** participant index of the local author: its blocks reach the map only through publishOwn(), once durable */
  ownAuthor?: number
  /** invalid writes after which a client's further entries are skipped without decoding (default 8) */
  flagThreshold?: number
  /** entries handed to the replica per flush; the rest go to the next scheduled flush (default: all) */
  batchSize?: number
  /** runs the next flush; default: at once. A browser passes e.g. `(f) => setTimeout(f, 0)` to stay responsive */
  schedule?: (flush: () => void) => void
  /** bytes written per Yjs transaction, so no single update outgrows a peer's message limit (default 1 MiB) */
  maxTransactionBytes?: number
  /**
   * missing ancestors of buffered blocks remembered as wanted (default 4096), shared out per author of the
   * buffered block: past its share an author's oldest wants are evicted, so one author citing made-up parents
   * cannot crowd out another's real missing ancestors
   */
  maxWanted?: number
  /**
   * ids peers hint at (advertised heads) remembered; the oldest are forgotten beyond this, and each is asked for
   * at most `hintRequests` times (defaults 256, 5): a peer advertising made-up heads cannot crowd out real wants
   */
  maxHinted?: number
  hintRequests?: number
  /**
   * repairs of one key before this peer stops re-writing it until it is seen valid again (default 3). Bounds the
   * traffic when docs disagree on what a Yjs item id means (a reused client id): a repair can then land under
   * another key at the other peer and be repaired back forever. Wanted ids are still fetched by id (catchUp.ts).
   */
  maxRepairsPerKey?: number
  /**
   * parked entries (of flagged writers) decoded per pullParked() call while wanted ids stay unfound (default 4):
   * an honest writer flagged through no fault of its own (see maxRepairsPerKey) still delivers, slowly
   */
  trickle?: number
  /** parked entries kept; the oldest are forgotten beyond this (default 4096) */
  maxParked?: number
  /** Yjs clients with invalid writes remembered below the flag threshold (default 10,000) and flagged (1,000) */
  maxClientRecords?: number
  maxFlaggedRecords?: number
}

/** a changed map entry waiting for validation; `overwrote` when its key names a block this peer holds */
type Entry = { key: string; writer: number; bytes: Uint8Array; overwrote: boolean }
type Write = { bytes: Uint8Array; kind: 'repair' | 'publish' }

/** where a block's author address starts in its wire bytes (after the format byte and the channel id) */
const AUTHOR_OFFSET = 1 + 32

/**
 * Binds a channel's Y.Doc to its Replica. The Y.Map 'blocks' is a pipe, never a source of truth: every changed
 * entry is checked for key form, type and size before any decoding, then validated by the replica; nothing else
 * is read from the doc. The map is kept honest by repair: an entry holding a block this peer has validated is
 * re-written when deleted or overwritten with anything that is not a valid encoding of that block, and a valid
 * block found under a wrong key is published under its id. Honest peers only ever write valid bytes under their
 * id and skip keys already holding them, so repairs do not ping-pong.
 *
 * Invalid entries are charged to the Yjs client that wrote them (the map item's id.client); past a threshold a
 * client's further entries are parked without decoding, and only decoded if a validated block or a peer asks
 * for that id. Yjs deletions carry no author, so they are repaired but not charged. What the map cannot deliver
 * (docs that disagree after a reused client id) is fetched by id from a peer directly: wants(), blocksFor(),
 * receiveDirect(), driven by catchUp.ts.
 */
export class ChannelDoc {
  readonly doc: Y.Doc
  readonly map: Y.Map<unknown>
  readonly replica: Replica
  readonly stats = {
    /** entries handed to the replica (each one decoding) */
    decoded: 0,
    invalid: 0,
    /** entries of flagged clients skipped without decoding */
    dropped: 0,
    deletions: 0,
    repaired: 0,
    /** repairs skipped because the key was repaired maxRepairsPerKey times without being seen valid since */
    stuck: 0,
    published: 0,
    /** invalid entries this peer removed from the doc */
    removed: 0,
    /** entries of blocks this replica pruned, removed from the doc (their state is in the pruned base) */
    pruned: 0,
    /** wanted ids a peer answered it pruned */
    prunedAtPeers: 0,
  }
  private readonly ownAuthor: number | undefined
  private readonly flagThreshold: number
  private readonly batchSize: number
  private readonly schedule: (flush: () => void) => void
  private readonly maxTransactionBytes: number
  private readonly maxWanted: number
  private readonly maxRepairsPerKey: number
  private readonly repairs = new Map<string, number>()
  private readonly trickle: number
  private readonly maxParked: number
  private readonly maxClientRecords: number
  private readonly maxFlaggedRecords: number
  private trickleBudget = 0
  /** Yjs clients charged with invalid writes, below the flag threshold (insertion order) */
  private readonly clients = new Map<number, ClientRecord>()
  /** Yjs clients past the flag threshold */
  private readonly flagged = new Map<number, ClientRecord>()
  /** keys changed by others since the last flush */
  private readonly dirty = new Set<string>()
  /** entries passed triage, waiting for the replica */
  private queue: Entry[] = []
  /** entries of flagged clients, decoded only on demand */
  private readonly parked = new Map<string, Entry>()
  /** entries the replica refused for a full pending buffer: retried when blocks get accepted */
  private readonly full = new Map<string, Entry>()
  /** bytes of blocks the replica holds in its pending buffer, so they can be repaired too */
  private readonly pendingBytes = new Map<Hex, Uint8Array>()
  /** ids this peer lacks and knows of (ancestors of buffered blocks), per author of the block that waits for them */
  private readonly wantedBy = new Map<number, Set<Hex>>()
  private readonly wanted = new Set<Hex>()
  /** ids peers answered they pruned: not asked for again (bounded, oldest forgotten) */
  private readonly prunedAtPeers = new Set<Hex>()
  /** ids peers hinted at, with how often they were asked for */
  private readonly hinted = new Map<Hex, number>()
  private readonly maxHinted: number
  private readonly hintRequests: number
  /** own blocks that may appear in the map: durable or already public */
  private readonly ownPublic = new Set<Hex>()
  private readonly writes = new Map<string, Write>()
  /** keys holding invalid entries (no block of ours): removed from the doc so they do not stay there forever */
  private readonly deletes = new Set<string>()
  private readonly listeners = new Set<() => void>()
  private scheduled = false
  private flushing = false

  constructor(p: ChannelDocParameters) {
    this.doc = p.doc
    this.replica = p.replica
    this.map = p.doc.getMap(BLOCKS_MAP)
    this.ownAuthor = p.ownAuthor
    this.flagThreshold = p.flagThreshold ?? 8
    this.batchSize = p.batchSize ?? Number.POSITIVE_INFINITY
    this.schedule = p.schedule ?? ((f) => f())
    this.maxTransactionBytes = p.maxTransactionBytes ?? 1024 * 1024
    this.maxWanted = p.maxWanted ?? 4096
    this.maxHinted = p.maxHinted ?? 256
    this.hintRequests = p.hintRequests ?? 5
    this.maxRepairsPerKey = p.maxRepairsPerKey ?? 3
    this.trickle = p.trickle ?? 4
    this.maxParked = p.maxParked ?? 4096
    this.maxClientRecords = p.maxClientRecords ?? 10_000
    this.maxFlaggedRecords = p.maxFlaggedRecords ?? 1_000
    this.map.observe(this.onEvent)
    for (const key of this.map.keys()) this.dirty.add(key)
    if (this.dirty.size > 0) this.requestFlush()
  }

  private readonly onEvent = (event: Y.YMapEvent<unknown>, tx: Y.Transaction): void => {
    if (tx.origin === this) return
    for (const key of event.keysChanged) this.dirty.add(key)
    this.requestFlush()
  }

  destroy(): void {
    this.map.unobserve(this.onEvent)
    this.listeners.clear()
  }

  /** Called after every flush (new blocks, repairs, wants may have changed). Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  // ─── what other layers call ───────────────────────────────────────────────────────────────────────────────

  /**
   * Publishes a block this peer sealed, after the caller made it durable (see ownBlockStore). One entry per block.
   * Refuses bytes the replica does not hold: a block must be sealed (or received) before it is published.
   */
  publishOwn(bytes: Uint8Array): Hex {
    const id = toHex(blockId(decodeBlock(bytes), this.replica.channel.domainSeparator))
    if (!this.replica.nodes.has(id)) throw new Error(`publishOwn: block ${id} is not in the replica`)
    this.ownPublic.add(id)
    this.writes.set(id, { bytes, kind: 'publish' })
    this.flush()
    return id
  }

  /**
   * Feeds blocks from durable storage (this participant's own store) to the replica and publishes every block it
   * holds afterwards, so blocks that survived only there reach the room again.
   */
  ingestDurable(list: readonly Uint8Array[]): ReceiveResult[] {
    const results = this.replica.receiveMany(list)
    results.forEach((r, i) => {
      if (r.status === 'rejected') return
      this.ownPublic.add(r.id)
      if (r.status === 'buffered') this.noteBuffered(r, list[i]!)
    })
    this.reconcile()
    return results
  }

  /**
   * Ensures every block the replica holds (own blocks only once durable or public) is in the map under its id
   * with its bytes. Used at startup and after a reconnect; cheap when nothing is missing.
   */
  reconcile(): void {
    for (const node of this.replica.order) {
      if (node.author === this.ownAuthor && !this.ownPublic.has(node.hex)) continue
      const bytes = bytesOf(node)
      const cur = this.map.get(node.hex)
      if (cur instanceof Uint8Array && bytesEqual(cur, bytes)) continue
      this.writes.set(node.hex, { bytes, kind: 'publish' })
    }
    for (const [id, bytes] of this.pendingBytes)
      if (!(this.map.get(id) instanceof Uint8Array)) this.writes.set(id, { bytes, kind: 'publish' })
    this.flush()
  }

  /**
   * Validates blocks a peer sent directly (catch-up by id, see catchUp.ts) and makes sure each one is in the map
   * under its id. Entries are size-checked first; the caller charges the sending connection for rejections.
   */
  receiveDirect(list: readonly Uint8Array[]): ReceiveResult[] {
    const fits = (b: Uint8Array) => b instanceof Uint8Array && b.byteLength <= MAX_BLOCK_BYTES
    const sized = list.filter(fits)
    this.stats.decoded += sized.length
    const results = this.replica.receiveMany(sized)
    results.forEach((r, i) => {
      if (r.status === 'rejected') return
      const bytes = sized[i]!
      if (r.status === 'buffered') this.noteBuffered(r, bytes)
      if (this.ownAuthor !== undefined && this.replica.nodes.get(r.id)?.author === this.ownAuthor)
        this.ownPublic.add(r.id)
      const cur = this.map.get(r.id)
      if (cur === undefined) this.writes.set(r.id, { bytes, kind: 'publish' })
      else if (!(cur instanceof Uint8Array && bytesEqual(cur, bytes))) this.repair(r.id, bytes)
    })
    this.flush()
    let k = 0
    return list.map((b) => (fits(b) ? results[k++]! : { status: 'rejected', reason: 'oversize' }))
  }

  /**
   * Bytes of the requested blocks this peer holds and may share (own blocks only once durable or public), in the
   * order asked, at most `maxBytes` in total.
   */
  blocksFor(ids: Iterable<string>, maxBytes = Number.POSITIVE_INFINITY): Uint8Array[] {
    const out: Uint8Array[] = []
    let size = 0
    for (const id of ids) {
      const node = this.replica.nodes.get(id as Hex)
      if (!node || node.pruned || (node.author === this.ownAuthor && !this.ownPublic.has(node.hex))) continue
      const bytes = bytesOf(node)
      if (size + bytes.length > maxBytes) break
      size += bytes.length
      out.push(bytes)
    }
    return out
  }

  /**
   * Removes the entries of blocks the replica pruned (Replica.prune) from the doc, so the doc and its IndexedDB
   * copy shrink. Call once the pruned base is durable. Returns how many entries went.
   */
  dropPruned(): number {
    const keys: string[] = []
    for (const key of this.map.keys()) if (this.replica.nodes.get(key as Hex)?.pruned) keys.push(key)
    for (let i = 0; i < keys.length; i += 4096)
      this.doc.transact(() => {
        for (const key of keys.slice(i, i + 4096)) this.map.delete(key)
      }, this)
    this.stats.pruned += keys.length
    return keys.length
  }

  /** Of the ids a peer asked for, those this replica pruned (catch-up tells the peer so). */
  prunedOf(ids: Iterable<string>): Hex[] {
    const out: Hex[] = []
    for (const id of ids) if (this.replica.nodes.get(id as Hex)?.pruned) out.push(id as Hex)
    return out
  }

  /**
   * A peer answered that it pruned these ids: they are not asked for again. A block waiting for one stays
   * buffered; it completes if another peer still has the block (pruning is per peer and lags).
   */
  notePruned(ids: Iterable<string>): void {
    for (const id of ids) {
      if (!BLOCK_KEY.test(id) || this.knows(id)) continue
      this.stats.prunedAtPeers++
      this.prunedAtPeers.add(id as Hex)
      if (this.prunedAtPeers.size > this.maxWanted)
        this.prunedAtPeers.delete(this.prunedAtPeers.values().next().value!)
      this.hinted.delete(id as Hex)
    }
  }

  /** Whether the replica holds the block (validated, pruned or waiting for ancestors). */
  private knows(id: string): boolean {
    return this.replica.nodes.has(id as Hex) || this.pendingBytes.has(id as Hex)
  }

  /**
   * Notes ids a peer hinted at (heads it advertises) as wanted. If the map has an entry under such a key that was
   * parked, it is decoded now, whoever wrote it. Hints rank after the missing ancestors of validated blocks.
   */
  want(ids: Iterable<string>): void {
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
    this.requestFlush()
  }

  /**
   * Decodes a few of the most recently parked entries if wanted ids are still unfound. Called on a timer (the
   * catch-up tick), so its cost is bounded by time, not by what flagged writers send.
   */
  pullParked(): void {
    this.trickleBudget = this.trickle
    this.requestFlush()
  }

  /**
   * Ids this peer lacks, to fetch by id: missing ancestors of validated blocks first, then ids peers hinted at
   * (each returned at most `hintRequests` times).
   */
  wants(limit = 32): Hex[] {
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

  /** Whether this peer holds the block, validated or waiting for ancestors. */
  holds(id: string): boolean {
    return this.heldBytes(id) !== undefined
  }

  /** Yjs clients charged with at least one invalid write. */
  clientRecords(): ClientRecord[] {
    return [...this.flagged.values(), ...this.clients.values()].sort(
      (a, b) => b.invalid - a.invalid || a.clientID - b.clientID,
    )
  }

  /** Yjs clients past the threshold: their entries are no longer decoded unless asked for. */
  flaggedClients(): ClientRecord[] {
    return [...this.flagged.values()].sort((a, b) => b.invalid - a.invalid || a.clientID - b.clientID)
  }

  isFlagged(clientID: number): boolean {
    return this.flagged.has(clientID)
  }

  // ─── the flush ────────────────────────────────────────────────────────────────────────────────────────────

  private requestFlush(): void {
    if (this.scheduled || this.flushing) return
    this.scheduled = true
    this.schedule(() => {
      this.scheduled = false
      this.flush()
    })
  }

  /** Triage of changed keys, validation of a batch, on-demand decoding, then one round of writes. */
  flush(): void {
    if (this.flushing) return
    this.flushing = true
    try {
      if (this.dirty.size > 0) {
        const keys = [...this.dirty]
        this.dirty.clear()
        const fresh: Entry[] = []
        for (const key of keys) this.triage(key, fresh)
        const changed = new Set(keys)
        this.queue = causalOrder(this.queue.filter((e) => !changed.has(e.key)).concat(fresh))
      }
      let progress = this.drain()
      // new blocks may unblock entries refused for a full buffer, or make parked entries wanted
      for (let round = 0; round < 64; round++) {
        const retry = this.demanded()
        if (this.trickleBudget > 0 && this.wants(1).length > 0)
          retry.push(...this.takeParked(this.trickleBudget))
        this.trickleBudget = 0
        if (progress > 0) {
          for (const e of this.full.values()) retry.push(e)
          this.full.clear()
        }
        if (retry.length === 0) break
        progress = this.validate(causalOrder(retry))
      }
      this.pruneWanted()
      for (const id of this.hinted.keys()) if (this.replica.nodes.has(id)) this.hinted.delete(id)
      for (const id of this.pendingBytes.keys()) if (this.replica.nodes.has(id)) this.pendingBytes.delete(id)
      this.writeAll()
    } finally {
      this.flushing = false
    }
    if (this.queue.length > 0 || this.dirty.size > 0) this.requestFlush()
    for (const l of this.listeners) l()
  }

  /** Cheap checks, no decoding: deletions and overwrites of held blocks, key form, type, size, flagged writer. */
  private triage(key: string, out: Entry[]): void {
    const value = this.map.get(key)
    const held = this.heldBytes(key)
    this.parked.delete(key)
    this.full.delete(key)
    // a block this replica pruned: its state is in the base; whatever a lagging peer writes there is not read
    if (this.replica.nodes.get(key as Hex)?.pruned) return
    if (value === undefined) {
      // a peer pruned it: final below a certified checkpoint here too, so nobody needs it from the doc
      const node = this.replica.nodes.get(key as Hex)
      if (node && this.replica.isPrunable(node)) return
      if (held) {
        this.stats.deletions++
        this.repair(key, held)
      }
      return
    }
    const writer = this.map._map.get(key)?.id.client ?? -1
    if (held) {
      if (value instanceof Uint8Array && bytesEqual(value, held)) {
        this.repairs.delete(key)
        return
      }
      if (!(value instanceof Uint8Array) || value.byteLength > MAX_BLOCK_BYTES) {
        this.charge(writer, 'overwrite')
        this.repair(key, held)
        return
      }
      // another encoding of this block, a block delivered under the wrong key, or garbage: the replica judges
      out.push({ key, writer, bytes: value, overwrote: true })
      return
    }
    let reason: InvalidWrite
    if (!BLOCK_KEY.test(key)) reason = 'bad-key'
    else if (!(value instanceof Uint8Array)) reason = 'not-bytes'
    else if (value.byteLength > MAX_BLOCK_BYTES) reason = 'oversize'
    else {
      out.push({ key, writer, bytes: value, overwrote: false })
      return
    }
    this.charge(writer, reason)
    this.deletes.add(key)
  }

  /**
   * Validates queued entries up to the batch size, giving each writer a growing allowance per round (the flag
   * threshold first, then twice what it got through cleanly), so a writer is never decoded more than the
   * threshold past its first invalid entries, while an honest peer's full history goes through in a few rounds.
   * Entries of flagged writers are parked without decoding. Returns how many blocks joined the DAG or buffer.
   */
  private drain(): number {
    let budget = this.batchSize
    let progress = 0
    const allowance = new Map<number, number>()
    while (budget > 0 && this.queue.length > 0) {
      const chunk: Entry[] = []
      const rest: Entry[] = []
      const taken = new Map<number, number>()
      for (const e of this.queue) {
        if (this.isFlagged(e.writer) && !this.isWanted(e.key)) {
          this.park(e)
          const held = e.overwrote ? this.heldBytes(e.key) : undefined
          if (held) this.repair(e.key, held)
          continue
        }
        const left = allowance.get(e.writer) ?? Math.max(1, this.flagThreshold - this.invalidOf(e.writer))
        const t = taken.get(e.writer) ?? 0
        if (chunk.length >= budget || t >= left) rest.push(e)
        else {
          chunk.push(e)
          taken.set(e.writer, t + 1)
        }
      }
      this.queue = rest
      if (chunk.length === 0) break
      budget -= chunk.length
      const invalidBefore = new Map([...taken.keys()].map((w) => [w, this.invalidOf(w)]))
      progress += this.validate(chunk)
      for (const [w, t] of taken) {
        const inv = this.invalidOf(w)
        allowance.set(w, inv > invalidBefore.get(w)! ? Math.max(1, this.flagThreshold - inv) : 2 * t)
      }
    }
    return progress
  }

  private repair(key: string, bytes: Uint8Array): void {
    const n = this.repairs.get(key) ?? 0
    if (n >= this.maxRepairsPerKey) {
      this.stats.stuck++
      return
    }
    this.repairs.set(key, n + 1)
    this.writes.set(key, { bytes, kind: 'repair' })
  }

  private park(e: Entry): void {
    this.stats.dropped++
    this.flagged.get(e.writer)!.dropped++
    this.parked.delete(e.key)
    this.parked.set(e.key, e)
    if (this.parked.size > this.maxParked) this.parked.delete(this.parked.keys().next().value!)
  }

  /** The most recently parked entries, taken out of the parking. */
  private takeParked(n: number): Entry[] {
    const out = [...this.parked.values()].slice(-n)
    for (const e of out) this.parked.delete(e.key)
    return out
  }

  private invalidOf(writer: number): number {
    return (this.clients.get(writer) ?? this.flagged.get(writer))?.invalid ?? 0
  }

  /**
   * Hands entries to the replica and settles each: a rejected entry is charged to its writer; a valid block under
   * a wrong key is published under its id and charged only if it brought nothing new (a block delivered under
   * the wrong key is still a delivery: docs that disagree after a reused client id misroute honest writes). A
   * held key that lost its block is repaired. Returns how many blocks joined the DAG or its buffer.
   */
  private validate(batch: readonly Entry[]): number {
    if (batch.length === 0) return 0
    this.stats.decoded += batch.length
    const before = this.replica.ingress.accepted
    const results = this.replica.receiveMany(batch.map((e) => e.bytes))
    let buffered = 0
    results.forEach((r, i) => {
      const e = batch[i]!
      if (r.status === 'rejected') {
        if (r.reason === 'buffer-full') this.full.set(e.key, e)
        else {
          this.charge(e.writer, e.overwrote ? 'overwrite' : r.reason)
          // every honest replica refuses these bytes for good: take them out of the doc
          if (!e.overwrote) this.deletes.add(e.key)
        }
      } else {
        if (r.status === 'buffered') {
          this.noteBuffered(r, e.bytes)
          buffered++
        }
        if (this.ownAuthor !== undefined && this.replica.nodes.get(r.id)?.author === this.ownAuthor)
          this.ownPublic.add(r.id)
        if (r.id === e.key) {
          this.repairs.delete(e.key)
          return
        }
        if (r.status === 'duplicate') this.charge(e.writer, e.overwrote ? 'overwrite' : 'wrong-key')
        if (!(this.map.get(r.id) instanceof Uint8Array))
          this.writes.set(r.id, { bytes: e.bytes, kind: 'publish' })
      }
      // the key may name a block held by now (its real entry was overwritten with this one)
      const real = this.heldBytes(e.key)
      if (real) this.repair(e.key, real)
    })
    return this.replica.ingress.accepted - before + buffered
  }

  private noteBuffered(r: Extract<ReceiveResult, { status: 'buffered' }>, bytes: Uint8Array): void {
    this.pendingBytes.set(r.id, bytes)
    const author =
      this.replica.channel.indexOf.get(toHex(bytes.subarray(AUTHOR_OFFSET, AUTHOR_OFFSET + 20))) ?? -1
    let mine = this.wantedBy.get(author)
    if (!mine) {
      mine = new Set()
      this.wantedBy.set(author, mine)
    }
    const share = Math.max(16, Math.floor(this.maxWanted / this.replica.n))
    for (const m of r.missing) {
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

  /** Forgets wants that were found. */
  private pruneWanted(): void {
    for (const id of this.wanted)
      if (this.replica.nodes.has(id)) {
        this.wanted.delete(id)
        for (const set of this.wantedBy.values()) set.delete(id)
      }
  }

  private isWanted(id: string): boolean {
    return this.wanted.has(id as Hex) || this.hinted.has(id as Hex)
  }

  /** Parked or refused entries whose ids are wanted: decoded whoever wrote them. */
  private demanded(): Entry[] {
    const out: Entry[] = []
    for (const id of [...this.wanted, ...this.hinted.keys()]) {
      const e = this.parked.get(id) ?? this.full.get(id)
      if (!e || this.heldBytes(id)) continue
      this.parked.delete(id)
      this.full.delete(id)
      out.push(e)
    }
    return out
  }

  /**
   * Charges an invalid write to its Yjs client. Client ids are free to make up, so records are bounded: unflagged
   * ones live in insertion order and the oldest is forgotten in O(1) past maxClientRecords; flagged ones move to
   * their own bounded table (the oldest forgotten past maxFlaggedRecords).
   */
  private charge(writer: number, reason: InvalidWrite): void {
    this.stats.invalid++
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

  private heldBytes(id: string): Uint8Array | undefined {
    const node = this.replica.nodes.get(id as Hex)
    if (node?.pruned) return undefined
    return node ? bytesOf(node) : this.pendingBytes.get(id as Hex)
  }

  /** Writes queued entries in transactions of bounded size, skipping keys that already hold the bytes. */
  private writeAll(): void {
    if (this.deletes.size > 0) {
      const keys = [...this.deletes]
      this.deletes.clear()
      this.doc.transact(() => {
        for (const key of keys)
          if (this.map.has(key) && !this.heldBytes(key)) {
            this.map.delete(key)
            this.stats.removed++
          }
      }, this)
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
      }, this)
    }
  }
}

function bytesOf(node: Node): Uint8Array {
  node.bytes ??= encodeBlock(node.block)
  return node.bytes
}
