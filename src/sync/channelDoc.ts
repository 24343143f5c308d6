import type * as Y from 'yjs'
import { blockId, decodeBlock, encodeBlock, MAX_BLOCK_BYTES } from '../core/block.ts'
import { bytesEqual, type Hex, toHex } from '../core/bytes.ts'
import type { Node, ReceiveResult, Replica } from '../core/replica.ts'
import { BLOCK_KEY, causalOrder } from './causalOrder.ts'
import { DocWrites } from './docWrites.ts'
import { type Entry, WaitingEntries } from './waitingEntries.ts'
import { WantedIds } from './wantedIds.ts'
import { type ClientRecord, type InvalidWrite, WriterRecords } from './writerRecords.ts'

export type { ClientRecord, InvalidWrite }

/** Name of the Y.Map holding blocks: block id hex → wire bytes. */
export const BLOCKS_MAP = 'blocks'

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

/** where a block's author address starts in its wire bytes (after the format byte and the channel id) */
const AUTHOR_OFFSET = 1 + 32
/** where its round starts (after the author and the u64 seq) */
const ROUND_OFFSET = AUTHOR_OFFSET + 20 + 8

/** The round an entry's bytes claim (Infinity for what is not long enough to be a block). */
function roundOf(v: unknown): number {
  if (!(v instanceof Uint8Array) || v.length < ROUND_OFFSET + 8) return Number.POSITIVE_INFINITY
  return Number(new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(ROUND_OFFSET))
}

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
  private readonly batchSize: number
  private readonly schedule: (flush: () => void) => void
  private readonly trickle: number
  private trickleBudget = 0
  /** who wrote invalid entries, and who is flagged */
  private readonly writers: WriterRecords
  /** ids this peer lacks and knows of */
  private readonly wantedIds: WantedIds
  /** publications, repairs and removals waiting for the next write */
  private readonly writes: DocWrites
  /** keys changed by others since the last flush */
  private readonly dirty = new Set<string>()
  /** entries passed triage, waiting for the replica */
  private queue: Entry[] = []
  /** entries of flagged writers, and entries refused for a full buffer */
  private readonly waiting: WaitingEntries
  /** bytes of blocks the replica holds in its pending buffer, so they can be repaired too */
  private readonly pendingBytes = new Map<Hex, Uint8Array>()
  /** own blocks that may appear in the map: durable or already public */
  private readonly ownPublic = new Set<Hex>()
  private readonly listeners = new Set<() => void>()
  private scheduled = false
  private flushing = false

  constructor(p: ChannelDocParameters) {
    this.doc = p.doc
    this.replica = p.replica
    this.map = p.doc.getMap(BLOCKS_MAP)
    this.ownAuthor = p.ownAuthor
    this.batchSize = p.batchSize ?? Number.POSITIVE_INFINITY
    this.schedule = p.schedule ?? ((f) => f())
    this.writers = new WriterRecords(
      p.flagThreshold ?? 8,
      p.maxClientRecords ?? 10_000,
      p.maxFlaggedRecords ?? 1_000,
    )
    this.wantedIds = new WantedIds(
      (id) => this.knows(id),
      p.maxWanted ?? 4096,
      p.maxHinted ?? 256,
      p.hintRequests ?? 5,
    )
    this.writes = new DocWrites(
      this.doc,
      this.map,
      this,
      this.stats,
      p.maxRepairsPerKey ?? 3,
      p.maxTransactionBytes ?? 1024 * 1024,
    )
    this.trickle = p.trickle ?? 4
    this.waiting = new WaitingEntries(p.maxParked ?? 4096)
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
    this.writes.publish(id, bytes)
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
      this.writes.publish(node.hex, bytes)
    }
    for (const [id, bytes] of this.pendingBytes)
      if (!(this.map.get(id) instanceof Uint8Array)) this.writes.publish(id, bytes)
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
      if (cur === undefined) this.writes.publish(r.id, bytes)
      else if (!(cur instanceof Uint8Array && bytesEqual(cur, bytes))) this.writes.repair(r.id, bytes)
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
    const floor = this.replica.dag.floor
    for (const [key, v] of this.map.entries()) {
      const node = this.replica.nodes.get(key as Hex)
      // a pruning forgets the stubs more than D rounds below its floor at once: those entries go too (read the
      // round from the bytes; a valid block's id commits to it, and a forged entry below the floor may go anyway)
      if (node ? node.pruned : floor > 0 && roundOf(v) < floor) keys.push(key)
    }
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
    for (const id of ids) if (this.wantedIds.prunedAtPeer(id)) this.stats.prunedAtPeers++
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
    this.wantedIds.hint(ids)
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
    return this.wantedIds.take(limit)
  }

  /** Whether this peer holds the block, validated or waiting for ancestors. */
  holds(id: string): boolean {
    return this.heldBytes(id) !== undefined
  }

  /** Yjs clients charged with at least one invalid write. */
  clientRecords(): ClientRecord[] {
    return this.writers.records()
  }

  /** Yjs clients past the threshold: their entries are no longer decoded unless asked for. */
  flaggedClients(): ClientRecord[] {
    return this.writers.flaggedRecords()
  }

  isFlagged(clientID: number): boolean {
    return this.writers.isFlagged(clientID)
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
        // parked or refused entries whose ids are wanted: decoded whoever wrote them
        const retry = this.waiting.takeDemanded(
          this.wantedIds.all(),
          (id) => this.heldBytes(id) !== undefined,
        )
        if (this.trickleBudget > 0 && this.wants(1).length > 0)
          retry.push(...this.waiting.takeParked(this.trickleBudget))
        this.trickleBudget = 0
        if (progress > 0) {
          retry.push(...this.waiting.takeFull())
        }
        if (retry.length === 0) break
        progress = this.validate(causalOrder(retry))
      }
      this.wantedIds.forgetFound((id) => this.replica.nodes.has(id))
      for (const id of this.pendingBytes.keys()) if (this.replica.nodes.has(id)) this.pendingBytes.delete(id)
      this.writes.writeAll((key) => this.heldBytes(key))
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
    this.waiting.forget(key)
    // a block this replica pruned: its state is in the base; whatever a lagging peer writes there is not read
    if (this.replica.nodes.get(key as Hex)?.pruned) return
    if (value === undefined) {
      // a peer pruned it (final below a certified checkpoint here too), or it expired and its author's chain went
      // past it below that checkpoint (Replica.isSpent): nobody needs it from the doc
      const node = this.replica.nodes.get(key as Hex)
      if (node && (this.replica.isPrunable(node) || this.replica.isSpent(node))) return
      if (held) {
        this.stats.deletions++
        this.writes.repair(key, held)
      }
      return
    }
    const writer = this.map._map.get(key)?.id.client ?? -1
    if (held) {
      if (value instanceof Uint8Array && bytesEqual(value, held)) {
        this.writes.seenValid(key)
        return
      }
      if (!(value instanceof Uint8Array) || value.byteLength > MAX_BLOCK_BYTES) {
        this.charge(writer, 'overwrite')
        this.writes.repair(key, held)
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
    this.writes.remove(key)
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
        if (this.isFlagged(e.writer) && !this.wantedIds.isWanted(e.key)) {
          this.park(e)
          const held = e.overwrote ? this.heldBytes(e.key) : undefined
          if (held) this.writes.repair(e.key, held)
          continue
        }
        const left =
          allowance.get(e.writer) ??
          Math.max(1, this.writers.flagThreshold - this.writers.invalidOf(e.writer))
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
      const invalidBefore = new Map([...taken.keys()].map((w) => [w, this.writers.invalidOf(w)]))
      progress += this.validate(chunk)
      for (const [w, t] of taken) {
        const inv = this.writers.invalidOf(w)
        allowance.set(w, inv > invalidBefore.get(w)! ? Math.max(1, this.writers.flagThreshold - inv) : 2 * t)
      }
    }
    return progress
  }

  private park(e: Entry): void {
    this.stats.dropped++
    this.writers.dropped(e.writer)
    this.waiting.park(e)
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
        if (r.reason === 'buffer-full') this.waiting.refusedFull(e)
        // older than what this replica pruned and forgot (a peer that pruned less still holds it), an expired
        // header whose author's chain moved on here (core CONTEXT.md, "Chain restart"), or a participant's chain
        // on other terms than ours (core genesis.ts: replicas on its terms take it, and which side is wrong is not
        // ours to say): not a fault, not removed
        else if (r.reason === 'below-floor' || r.reason === 'expired-fork' || r.reason === 'wrong-genesis')
          return
        else {
          this.charge(e.writer, e.overwrote ? 'overwrite' : r.reason)
          // every honest replica refuses these bytes for good: take them out of the doc
          if (!e.overwrote) this.writes.remove(e.key)
        }
      } else {
        if (r.status === 'buffered') {
          this.noteBuffered(r, e.bytes)
          buffered++
        }
        if (this.ownAuthor !== undefined && this.replica.nodes.get(r.id)?.author === this.ownAuthor)
          this.ownPublic.add(r.id)
        if (r.id === e.key) {
          this.writes.seenValid(e.key)
          return
        }
        if (r.status === 'duplicate') this.charge(e.writer, e.overwrote ? 'overwrite' : 'wrong-key')
        if (!(this.map.get(r.id) instanceof Uint8Array)) this.writes.publish(r.id, e.bytes)
      }
      // the key may name a block held by now (its real entry was overwritten with this one)
      const real = this.heldBytes(e.key)
      if (real) this.writes.repair(e.key, real)
    })
    return this.replica.ingress.accepted - before + buffered
  }

  private noteBuffered(r: Extract<ReceiveResult, { status: 'buffered' }>, bytes: Uint8Array): void {
    this.pendingBytes.set(r.id, bytes)
    const author =
      this.replica.channel.indexOf.get(toHex(bytes.subarray(AUTHOR_OFFSET, AUTHOR_OFFSET + 20))) ?? -1
    this.wantedIds.missing(author, r.missing, this.replica.n)
  }

  /** Charges an invalid write to its Yjs client (writerRecords.ts). */
  private charge(writer: number, reason: InvalidWrite): void {
    this.stats.invalid++
    this.writers.charge(writer, reason)
  }

  private heldBytes(id: string): Uint8Array | undefined {
    const node = this.replica.nodes.get(id as Hex)
    if (node?.pruned) return undefined
    return node ? bytesOf(node) : this.pendingBytes.get(id as Hex)
  }
}

function bytesOf(node: Node): Uint8Array {
  node.bytes ??= encodeBlock(node.block)
  return node.bytes
}
