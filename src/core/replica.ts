import {
  type Block,
  BlockDecodeError,
  blockHeader,
  blockId,
  createBlock,
  decodeBlock,
  encodeBlock,
  MAX_PARENTS,
} from './block.ts'
import { bytesEqual, fromHex, type Hex, toHex, ZERO32 } from './bytes.ts'
import type { Channel } from './channel.ts'
import { type Checkpoint, checkpointDigest, type SignedCheckpoint } from './checkpoint.ts'
import type { BlockHeaderFields } from './eip712.ts'
import { type CheckpointOp, type Op, OpTag } from './ops.ts'
import { Reject } from './reasons.ts'
import { balancesTree, stateRoot } from './roots.ts'
import { recoverAddress, signDigest } from './signature.ts'
import { ChannelState, type DepositRecord } from './state.ts'

/** A block accepted into the DAG, with what the replica derived from it. */
export type Node = {
  id: Uint8Array
  hex: Hex
  block: Block
  bytes: Uint8Array | undefined
  author: number
  seq: number
  /** 1 + the greatest height among prev and parents: orders the DAG topologically */
  height: number
  /** vector clock: for each author, the greatest seq among this block's ancestors-or-self */
  vc: Float64Array
  /** ordinal of the earliest final checkpoint covering this block, UNCOVERED otherwise */
  segment: number
  /** per op: Reject.None when applied, the reason it was skipped otherwise */
  results: Uint8Array
  /** per op: whether a checkpoint op's signature is valid (only checkpoint ops are checked) */
  badCheckpointOps: Set<number> | undefined
}

export const UNCOVERED = Number.MAX_SAFE_INTEGER

/** Why a block was refused at ingress. */
export type IngressReject =
  | 'oversize'
  | 'malformed'
  | 'wrong-channel'
  | 'not-participant'
  | 'bad-signature'
  | 'bad-prev'
  | 'seq-out-of-range'
  | 'buffer-full'

export type ReceiveResult =
  | { status: 'accepted'; id: Hex }
  | { status: 'duplicate'; id: Hex }
  | { status: 'buffered'; id: Hex; missing: Hex[] }
  | { status: 'rejected'; reason: IngressReject; detail?: string }

/** Two validly signed headers by one author at one seq: what the contract's slash() takes. */
export type Equivocation = {
  author: number
  seq: number
  a: { header: BlockHeaderFields; signature: Uint8Array; id: Hex }
  b: { header: BlockHeaderFields; signature: Uint8Array; id: Hex }
}

export type ReplicaOptions = {
  /** participant index and session key of the local author, when this replica writes */
  author?: { index: number; sessionKey: Uint8Array }
  /** seal the open batch at this many ops */
  batchOps?: number
  /** seal the open batch once it is this old (see sealIfDue); the caller supplies the clock */
  batchMs?: number
  /** blocks with unknown ancestors kept per author; further ones are dropped */
  bufferPerAuthor?: number
  /** take a rollback snapshot every this many applied blocks */
  snapshotInterval?: number
  deposits?: readonly DepositRecord[]
  /**
   * Called for every block that joins the DAG — received, unblocked from the buffer, or sealed locally — so a
   * transport can relay it. It runs before the state is folded.
   */
  onAccept?: (node: Node) => void
  /** Called after every change to the folded state (receive, submit, seal, deposits): views may be stale. */
  onUpdate?: () => void
}

type Snapshot = { index: number; state: ChannelState; trades: number }
type Tally = { checkpoint: Checkpoint; digest: Uint8Array; signatures: Map<number, Uint8Array> }

function compareNodes(a: Node, b: Node): number {
  if (a.segment !== b.segment) return a.segment - b.segment
  if (a.height !== b.height) return a.height - b.height
  return a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0
}

/**
 * One participant's copy of a channel: the validated block DAG, its canonical order, the state folded from it,
 * finality, checkpoints and equivocation evidence. Any honest replica that has accepted the same set of blocks
 * computes the same order and the same state, whatever the arrival order.
 *
 * Canonical order: by (segment, height, id) where segment places blocks covered by final checkpoints first.
 * A block that lands at the end of the order applies in O(its ops); one that lands earlier rolls back to the
 * nearest snapshot and replays from there.
 */
export class Replica {
  readonly channel: Channel
  readonly n: number
  readonly nodes = new Map<Hex, Node>()
  /** canonical order of every accepted block */
  readonly order: Node[] = []
  /** per author: seq → blocks at that seq (more than one only for equivocators) */
  readonly bySeq: Map<number, Node[]>[]
  /** per author: its block with the greatest seq */
  readonly latest: (Node | undefined)[]
  /** per author: the greatest seq of its blocks that carry ops (empty acknowledgement blocks excluded) */
  private readonly lastOpsSeq: number[]
  /** per author: lowest seq at which it equivocated */
  readonly forkSeq = new Map<number, number>()
  readonly equivocations: Equivocation[] = []
  /** blocks accepted at the DAG level whose state effect has not been folded yet start here */
  private applied = 0
  private dirtyFrom = Number.POSITIVE_INFINITY
  /** count of blocks at the front of the order that are final */
  finalCount = 0
  state: ChannelState
  readonly deposits = new Map<bigint, DepositRecord>()
  private readonly trades: ChannelState['trades'] = []
  private snapshots: Snapshot[] = []
  private readonly snapshotInterval: number
  /** blocks waiting for ancestors: missing id → waiting nodes */
  private readonly waiting = new Map<Hex, Node[]>()
  private readonly buffered = new Map<Hex, Node>()
  private readonly bufferedPerAuthor: number[]
  private readonly bufferPerAuthor: number
  readonly ingress = { accepted: 0, duplicate: 0, buffered: 0, rejected: new Map<IngressReject, number>() }
  /** checkpoint signatures by digest */
  private readonly tallies = new Map<Hex, Tally>()
  /** final checkpoints, version 1, 2, … */
  readonly finalCheckpoints: SignedCheckpoint[] = []
  private firstUnknownDeposit = Number.POSITIVE_INFINITY
  private maxHeight = 0
  /** frontier: blocks no other accepted block references */
  private readonly heads = new Set<Hex>()

  // local author
  private readonly me: { index: number; sessionKey: Uint8Array } | undefined
  private readonly batchOps: number
  private readonly batchMs: number
  private batch: { ops: Op[]; results: Reject[]; openedAt: number } | undefined
  /** versions this replica has signed a checkpoint for: never sign two at one version */
  private readonly signedVersions = new Set<bigint>()
  private readonly onAccept: ((node: Node) => void) | undefined
  private readonly onUpdate: (() => void) | undefined

  constructor(channel: Channel, options: ReplicaOptions = {}) {
    this.channel = channel
    this.n = channel.config.participants.length
    this.bySeq = Array.from({ length: this.n }, () => new Map())
    this.latest = new Array(this.n).fill(undefined)
    this.lastOpsSeq = new Array(this.n).fill(0)
    this.bufferedPerAuthor = new Array(this.n).fill(0)
    this.bufferPerAuthor = options.bufferPerAuthor ?? 256
    this.snapshotInterval = options.snapshotInterval ?? 32
    this.me = options.author
    this.batchOps = options.batchOps ?? 256
    this.batchMs = options.batchMs ?? 20
    this.onAccept = options.onAccept
    this.onUpdate = options.onUpdate
    for (const d of options.deposits ?? []) this.deposits.set(d.index, d)
    this.state = new ChannelState(channel, this.deposits, this.trades)
    this.snapshots.push({ index: 0, state: this.state.clone(), trades: 0 })
  }

  // ─── ingress ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Validates wire bytes and adds the block (and any blocks it unblocks); folds the result into the state. */
  receive(bytes: Uint8Array): ReceiveResult {
    const r = this.ingest(bytes)
    this.fold()
    return r
  }

  /** Like receive() for many blocks, folding once at the end: the way to apply a burst. */
  receiveMany(list: readonly Uint8Array[]): ReceiveResult[] {
    const out = list.map((b) => this.ingest(b))
    this.fold()
    return out
  }

  private reject(reason: IngressReject, detail?: string): ReceiveResult {
    this.ingress.rejected.set(reason, (this.ingress.rejected.get(reason) ?? 0) + 1)
    return detail === undefined ? { status: 'rejected', reason } : { status: 'rejected', reason, detail }
  }

  private ingest(bytes: Uint8Array): ReceiveResult {
    let block: Block
    try {
      block = decodeBlock(bytes)
    } catch (e) {
      if (e instanceof BlockDecodeError)
        return this.reject(e.message.includes('over limit') ? 'oversize' : 'malformed', e.message)
      throw e
    }
    return this.ingestBlock(block, bytes)
  }

  /** Validation that needs no ancestors: domain, author, signature. Then dependencies, then integration. */
  private ingestBlock(block: Block, bytes: Uint8Array | undefined): ReceiveResult {
    if (!bytesEqual(block.channelId, this.channel.channelId)) return this.reject('wrong-channel')
    const author = this.channel.indexOf.get(toHex(block.author))
    if (author === undefined) return this.reject('not-participant')
    if (block.seq > BigInt(Number.MAX_SAFE_INTEGER)) return this.reject('seq-out-of-range')
    const id = blockId(block, this.channel.domainSeparator)
    const hex = toHex(id)
    if (this.nodes.has(hex) || this.buffered.has(hex)) {
      this.ingress.duplicate++
      return { status: 'duplicate', id: hex }
    }
    if (recoverAddress(id, block.signature) !== this.channel.sessionKeys[author])
      return this.reject('bad-signature')
    const node: Node = {
      id,
      hex,
      block,
      bytes,
      author,
      seq: Number(block.seq),
      height: 0,
      vc: new Float64Array(0),
      segment: UNCOVERED,
      results: new Uint8Array(block.ops.length),
      badCheckpointOps: undefined,
    }
    const missing = this.missingDeps(node)
    if (missing === 'bad-prev') return this.reject('bad-prev')
    if (missing.length > 0) {
      if (this.bufferedPerAuthor[author]! >= this.bufferPerAuthor) return this.reject('buffer-full')
      this.bufferedPerAuthor[author]!++
      this.buffered.set(hex, node)
      for (const m of missing) {
        const list = this.waiting.get(m)
        if (list) list.push(node)
        else this.waiting.set(m, [node])
      }
      this.ingress.buffered++
      return { status: 'buffered', id: hex, missing }
    }
    this.integrateWithWaiters(node)
    return { status: 'accepted', id: hex }
  }

  private missingDeps(node: Node): Hex[] | 'bad-prev' {
    const missing: Hex[] = []
    if (node.seq > 1) {
      const prevHex = toHex(node.block.prev)
      const prev = this.nodes.get(prevHex)
      if (!prev) missing.push(prevHex)
      else if (prev.author !== node.author || prev.seq !== node.seq - 1) return 'bad-prev'
    }
    for (const p of node.block.parents) {
      const h = toHex(p)
      if (!this.nodes.has(h)) missing.push(h)
    }
    return missing
  }

  private integrateWithWaiters(first: Node): void {
    const queue = [first]
    while (queue.length > 0) {
      const node = queue.pop()!
      if (node !== first) {
        // a waiter one of whose dependencies arrived: it may still miss others (it waits on those too)
        if (!this.buffered.has(node.hex)) continue
        const missing = this.missingDeps(node)
        if (missing !== 'bad-prev' && missing.length > 0) continue
        this.buffered.delete(node.hex)
        this.bufferedPerAuthor[node.author]!--
        if (missing === 'bad-prev') {
          this.reject('bad-prev')
          continue
        }
      }
      this.integrate(node)
      const waiters = this.waiting.get(node.hex)
      if (!waiters) continue
      this.waiting.delete(node.hex)
      for (const w of waiters) queue.push(w)
    }
  }

  /** Adds a block whose ancestors are all known: height, vector clock, equivocation check, order position. */
  private integrate(node: Node): void {
    const n = this.n
    const vc = new Float64Array(n)
    let h = 0
    const deps: Node[] = []
    if (node.seq > 1) deps.push(this.nodes.get(toHex(node.block.prev))!)
    for (const p of node.block.parents) deps.push(this.nodes.get(toHex(p))!)
    for (const d of deps) {
      if (d.height > h) h = d.height
      const dvc = d.vc
      for (let i = 0; i < n; i++) if (dvc[i]! > vc[i]!) vc[i] = dvc[i]!
      this.heads.delete(d.hex)
    }
    vc[node.author] = node.seq
    node.vc = vc
    node.height = h + 1
    if (node.height > this.maxHeight) this.maxHeight = node.height
    this.heads.add(node.hex)
    this.nodes.set(node.hex, node)
    this.ingress.accepted++
    this.checkCheckpointOps(node)
    this.onAccept?.(node)

    const sameSeq = this.bySeq[node.author]!.get(node.seq)
    if (sameSeq) {
      const other = sameSeq[0]!
      sameSeq.push(node)
      this.recordEquivocation(node, other)
    } else this.bySeq[node.author]!.set(node.seq, [node])
    const last = this.latest[node.author]
    if (!last || node.seq > last.seq) this.latest[node.author] = node
    if (node.block.ops.length > 0 && node.seq > this.lastOpsSeq[node.author]!)
      this.lastOpsSeq[node.author] = node.seq

    // position: usually the end
    let pos = this.order.length
    if (pos > 0 && compareNodes(this.order[pos - 1]!, node) > 0) {
      let lo = 0
      let hi = pos
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (compareNodes(this.order[mid]!, node) < 0) lo = mid + 1
        else hi = mid
      }
      pos = lo
    }
    if (pos === this.order.length) this.order.push(node)
    else this.order.splice(pos, 0, node)
    if (pos < this.applied) {
      this.applied++
      if (this.isVoid(node)) {
        // a void block changes no state: shift what follows instead of replaying it
        node.results.fill(Reject.Equivocator)
        for (const s of this.snapshots) if (s.index > pos) s.index++
        if (this.finalCount > pos) this.finalCount++
      } else {
        this.markDirty(pos)
        this.snapshots = this.snapshots.filter((s) => s.index <= pos)
      }
    }
  }

  private markDirty(pos: number): void {
    if (pos < this.dirtyFrom) this.dirtyFrom = pos
  }

  private recordEquivocation(node: Node, other: Node): void {
    const a = other.hex < node.hex ? other : node
    const b = a === other ? node : other
    this.equivocations.push({
      author: node.author,
      seq: node.seq,
      a: { header: blockHeader(a.block), signature: a.block.signature, id: a.hex },
      b: { header: blockHeader(b.block), signature: b.block.signature, id: b.hex },
    })
    const prevFork = this.forkSeq.get(node.author)
    if (prevFork !== undefined && prevFork <= node.seq) return
    this.forkSeq.set(node.author, node.seq)
    // the author's ops from the fork on become void: replay from the first of its blocks that was applied
    for (let i = 0; i < this.order.length; i++) {
      const x = this.order[i]!
      if (x.author === node.author && x.seq >= node.seq && x.segment === UNCOVERED) {
        this.markDirty(i)
        break
      }
    }
  }

  /** Verifies checkpoint-op signatures once, at acceptance, and tallies the valid ones. */
  private checkCheckpointOps(node: Node): void {
    const ops = node.block.ops
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!
      if (op.tag !== OpTag.Checkpoint) continue
      const cp: Checkpoint = {
        version: op.version,
        heads: op.heads,
        stateRoot: op.stateRoot,
        balancesRoot: op.balancesRoot,
      }
      const digest = checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp)
      if (recoverAddress(digest, op.signature) !== this.channel.sessionKeys[node.author]) {
        node.badCheckpointOps ??= new Set()
        node.badCheckpointOps.add(i)
        continue
      }
      this.tally(cp, digest, node.author, op.signature)
    }
  }

  private tally(cp: Checkpoint, digest: Uint8Array, signer: number, signature: Uint8Array): void {
    const key = toHex(digest)
    let t = this.tallies.get(key)
    if (!t) {
      t = { checkpoint: cp, digest, signatures: new Map() }
      this.tallies.set(key, t)
    }
    if (!t.signatures.has(signer)) t.signatures.set(signer, signature)
  }

  // ─── the fold ─────────────────────────────────────────────────────────────────────────────────────────────

  /** Whether a block's ops are void under the equivocation rule. */
  isVoid(node: Node): boolean {
    const f = this.forkSeq.get(node.author)
    return f !== undefined && node.seq >= f && node.segment === UNCOVERED
  }

  /**
   * Folds one block into `state`, writing each op's result on the node. `voidRule` applies the equivocation rule
   * (lifted inside a checkpoint cut being evaluated); `position` is given only by the live fold, which remembers
   * where an op waited for an unknown deposit so addDeposits can replay from there.
   */
  private applyNode(state: ChannelState, node: Node, voidRule: boolean, position?: number): void {
    const ops = node.block.ops
    if (voidRule && this.isVoid(node)) {
      node.results.fill(Reject.Equivocator)
      return
    }
    const ctx = { author: node.author, seq: BigInt(node.seq), index: 0, height: node.height, block: node.hex }
    for (let i = 0; i < ops.length; i++) {
      ctx.index = i
      if (node.badCheckpointOps?.has(i)) {
        node.results[i] = Reject.CheckpointInvalid
        continue
      }
      const r = state.apply(ops[i]!, ctx)
      node.results[i] = r
      if (position !== undefined && r === Reject.UnknownDeposit && position < this.firstUnknownDeposit)
        this.firstUnknownDeposit = position
    }
  }

  /** Brings `state` up to date with the order: rolls back and replays when something landed before `applied`. */
  private fold(): void {
    this.extendCheckpoints()
    const hadBatch = this.batch !== undefined && this.batch.ops.length > 0
    let from = Math.min(this.dirtyFrom, this.applied)
    if (hadBatch || from < this.applied) {
      // the state holds more than order[0..from): restore the nearest snapshot at or before `from`
      let s = this.snapshots[0]!
      for (const x of this.snapshots) if (x.index <= from && x.index >= s.index) s = x
      this.snapshots = this.snapshots.filter((x) => x.index <= s.index)
      this.state = s.state.clone()
      this.trades.length = s.trades
      from = s.index
    }
    if (this.finalCount > from) this.finalCount = from
    if (this.finalCache && this.finalCache.count > from) this.finalCache = undefined
    this.dirtyFrom = Number.POSITIVE_INFINITY
    for (let i = from; i < this.order.length; i++) {
      this.applyNode(this.state, this.order[i]!, true, i)
      if ((i + 1) % this.snapshotInterval === 0 && i + 1 < this.order.length) this.takeSnapshot(i + 1)
    }
    this.applied = this.order.length
    if (this.batch && this.batch.ops.length > 0) {
      this.takeSnapshot(this.applied)
      const ops = this.batch.ops
      this.batch.results = []
      for (const op of ops) this.batch.results.push(this.applyLocal(op))
    }
    this.updateFinality()
    this.onUpdate?.()
  }

  private takeSnapshot(index: number): void {
    const last = this.snapshots[this.snapshots.length - 1]
    if (last && last.index === index) return
    this.snapshots.push({ index, state: this.state.clone(), trades: this.trades.length })
  }

  /** Supplies on-chain deposit records; ops that referenced them before they were known are replayed. */
  addDeposits(records: readonly DepositRecord[]): void {
    let added = false
    for (const r of records) {
      if (this.deposits.has(r.index)) continue
      this.deposits.set(r.index, r)
      added = true
    }
    if (added && this.firstUnknownDeposit < this.applied) {
      this.markDirty(this.firstUnknownDeposit)
      this.firstUnknownDeposit = Number.POSITIVE_INFINITY
    }
    if (added) this.fold()
  }

  // ─── finality ─────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * A block is final when covered by a final checkpoint, or causally stable: every participant that has not
   * equivocated has a block descending from it (then every later block of an honest author sorts after it).
   * finalCount is the longest prefix of the order made of such blocks.
   */
  private updateFinality(): void {
    const n = this.n
    const stable = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
    for (let b = 0; b < n; b++) {
      if (this.forkSeq.has(b)) continue
      const l = this.latest[b]
      for (let a = 0; a < n; a++) {
        const v = l ? l.vc[a]! : 0
        if (v < stable[a]!) stable[a] = v
      }
    }
    let f = this.finalCount
    while (f < this.order.length) {
      const x = this.order[f]!
      if (x.segment !== UNCOVERED || this.isVoid(x) || x.seq <= stable[x.author]!) f++
      else break
    }
    this.finalCount = f
    // snapshots wholly inside the final prefix are no longer needed, except the last one and genesis
    let keep = 0
    for (let i = 0; i < this.snapshots.length; i++) if (this.snapshots[i]!.index <= f) keep = i
    if (keep > 1) this.snapshots = [this.snapshots[0]!, ...this.snapshots.slice(keep)]
  }

  private finalCache: { count: number; state: ChannelState } | undefined

  /**
   * The state after the final prefix of the order: what no later block can change. Balances shown as "final"
   * come from here; the live `state` adds everything pending.
   */
  finalState(): ChannelState {
    const f = this.finalCount
    if (this.finalCache && this.finalCache.count === f && f <= this.applied) return this.finalCache.state
    let s = this.snapshots[0]!
    for (const x of this.snapshots) if (x.index <= f && x.index >= s.index) s = x
    const state = s.state.clone()
    state.trades = []
    for (let i = s.index; i < f; i++) {
      const node = this.order[i]!
      const saved = node.results.slice()
      this.applyNode(state, node, true)
      node.results.set(saved)
    }
    this.finalCache = { count: f, state }
    return state
  }

  isFinal(node: Node): boolean {
    const i = this.positionOf(node)
    return i >= 0 && i < this.finalCount
  }

  positionOf(node: Node): number {
    let lo = 0
    let hi = this.order.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const c = compareNodes(this.order[mid]!, node)
      if (c === 0) return mid
      if (c < 0) lo = mid + 1
      else hi = mid
    }
    return -1
  }

  // ─── checkpoints ──────────────────────────────────────────────────────────────────────────────────────────

  /** Ancestors-or-self of `heads` (all must be known). */
  cover(heads: readonly Uint8Array[]): Set<Hex> {
    const seen = new Set<Hex>()
    const stack = heads.map(toHex)
    while (stack.length > 0) {
      const h = stack.pop()!
      if (seen.has(h)) continue
      const node = this.nodes.get(h)
      if (!node) throw new Error(`unknown block ${h}`)
      seen.add(h)
      if (node.seq > 1) stack.push(toHex(node.block.prev))
      for (const p of node.block.parents) stack.push(toHex(p))
    }
    return seen
  }

  /**
   * Makes the next checkpoint version final once t distinct participants signed one digest for it, its heads
   * are known and its cut contains the previous final checkpoint's cut. Among several such digests the lowest
   * wins. Its blocks then sort before all others (segment = version).
   */
  private extendCheckpoints(): void {
    for (;;) {
      const version = BigInt(this.finalCheckpoints.length + 1)
      let best: Tally | undefined
      const prev = this.finalCheckpoints[this.finalCheckpoints.length - 1]
      for (const [key, t] of this.tallies) {
        if (t.checkpoint.version !== version || t.signatures.size < this.channel.config.threshold) continue
        if (!t.checkpoint.heads.every((h) => this.nodes.has(toHex(h)))) continue
        if (best && key >= toHex(best.digest)) continue
        if (prev) {
          const c = this.cover(t.checkpoint.heads)
          if (!prev.heads.every((h) => c.has(toHex(h)))) continue
        }
        best = t
      }
      if (!best) return
      const seg = this.finalCheckpoints.length + 1
      this.finalCheckpoints.push({
        ...best.checkpoint,
        digest: toHex(best.digest),
        signatures: best.signatures,
      })
      for (const h of this.cover(best.checkpoint.heads)) {
        const node = this.nodes.get(h)!
        if (node.segment === UNCOVERED) node.segment = seg
      }
      const before = this.order.slice()
      this.order.sort(compareNodes)
      let i = 0
      while (i < before.length && before[i] === this.order[i]) i++
      if (i < this.order.length) {
        this.markDirty(i)
        if (i < this.applied) this.snapshots = this.snapshots.filter((s) => s.index <= i)
      }
    }
  }

  /**
   * The checkpoint of the current cut (every accepted block): version = next final version. The state of that
   * cut is the current folded state, because when it becomes final its blocks keep their relative order.
   */
  currentCheckpoint(): Checkpoint {
    if (this.batch && this.batch.ops.length > 0) throw new Error('seal the open batch first')
    const version = BigInt(this.finalCheckpoints.length + 1)
    const heads = [...this.heads].sort().map((h) => this.nodes.get(h)!.id)
    // with an equivocator in the cut, the final order lifts the void rule inside it: fold the cut separately
    const state = this.forkSeq.size > 0 ? this.stateOfCut(heads) : this.state
    return { version, heads, stateRoot: stateRoot(state), balancesRoot: balancesTree(state, version).root }
  }

  /**
   * The state a checkpoint of `heads` commits to: the blocks of that cut folded in the order they will have once
   * the checkpoint is final (their present relative order), with the void rule lifted inside the cut.
   */
  stateOfCut(heads: readonly Uint8Array[]): ChannelState {
    const cut = this.cover(heads)
    let e = 0
    while (e < this.order.length && cut.has(this.order[e]!.hex) && !this.isVoid(this.order[e]!)) e++
    let s = this.snapshots[0]!
    for (const x of this.snapshots) if (x.index <= e && x.index >= s.index && x.index <= this.applied) s = x
    const state = s.state.clone()
    state.trades = []
    const results = new Map<Node, Uint8Array>()
    for (let i = s.index; i < this.order.length; i++) {
      const node = this.order[i]!
      if (!cut.has(node.hex)) continue
      results.set(node, node.results.slice())
      this.applyNode(state, node, false)
    }
    // applyNode records per-op results on the node: put back those of the live fold
    for (const [node, r] of results) node.results.set(r)
    return state
  }

  /** Checkpoints seen with their signatures, highest version first. */
  checkpointTallies(): SignedCheckpoint[] {
    return [...this.tallies.values()]
      .map((t) => ({ ...t.checkpoint, digest: toHex(t.digest), signatures: t.signatures }))
      .sort((a, b) => (a.version > b.version ? -1 : a.version < b.version ? 1 : a.digest < b.digest ? -1 : 1))
  }

  // ─── local authoring ──────────────────────────────────────────────────────────────────────────────────────

  private applyLocal(op: Op): Reject {
    const me = this.me!
    const seq = BigInt((this.latest[me.index]?.seq ?? 0) + 1)
    const ctx = {
      author: me.index,
      seq,
      index: this.batch!.results.length,
      height: this.maxHeight + 1,
      block: '',
    }
    return this.state.apply(op, ctx)
  }

  /**
   * Applies a local op at once (pending) and queues it for the next block. Returns the (seq, index) naming what
   * the op creates and its result at its current position; the result is pending until the block is final.
   */
  submit(op: Op, now = 0): { seq: bigint; index: number; result: Reject; sealed: Uint8Array | undefined } {
    if (!this.me) throw new Error('this replica has no author key')
    if (this.dirtyFrom !== Number.POSITIVE_INFINITY) this.fold()
    if (!this.batch) this.batch = { ops: [], results: [], openedAt: now }
    if (this.batch.ops.length === 0) this.takeSnapshot(this.applied)
    const seq = BigInt((this.latest[this.me.index]?.seq ?? 0) + 1)
    const index = this.batch.ops.length
    const result = this.applyLocal(op)
    this.batch.ops.push(op)
    this.batch.results.push(result)
    const sealed = this.batch.ops.length >= this.batchOps ? this.seal() : undefined
    if (!sealed) this.onUpdate?.()
    return { seq, index, result, sealed }
  }

  /**
   * Seals the open batch if it was opened at least batchMs before `now` (the caller's clock, e.g. a timer in
   * the transport; the fold itself never reads a clock). Returns the sealed block's bytes, if any.
   */
  sealIfDue(now: number): Uint8Array | undefined {
    if (!this.batch || this.batch.ops.length === 0 || now - this.batch.openedAt < this.batchMs)
      return undefined
    return this.seal()
  }

  get pendingOps(): number {
    return this.batch?.ops.length ?? 0
  }

  /**
   * Signs the open batch into a block: prev = own latest block, parents = every other current head. Its ops were
   * applied at the end of the order and the block sorts there, so nothing is replayed. Returns the wire bytes
   * (the caller persists them before broadcasting), or undefined when there is nothing to seal.
   */
  seal(): Uint8Array | undefined {
    if (!this.batch || this.batch.ops.length === 0) return undefined
    return this.sealBlock()
  }

  /**
   * Whether this author should acknowledge: some other author's block carrying ops is not yet an ancestor of our
   * latest block. Causal finality needs every participant to build on a block, so an idle participant answers
   * with an empty block; empty blocks need no acknowledgement, so acks never echo.
   */
  needsAck(): boolean {
    const me = this.me
    if (!me) return false
    const own = this.latest[me.index]
    for (let a = 0; a < this.n; a++) {
      if (a === me.index || this.forkSeq.has(a)) continue
      if (this.lastOpsSeq[a]! > (own ? own.vc[a]! : 0)) return true
    }
    return false
  }

  /** Seals the open batch, or an empty acknowledgement block when `needsAck()`; undefined when neither applies. */
  ack(): Uint8Array | undefined {
    if (this.batch && this.batch.ops.length > 0) return this.sealBlock()
    if (!this.needsAck()) return undefined
    this.batch = { ops: [], results: [], openedAt: 0 }
    return this.sealBlock()
  }

  private sealBlock(): Uint8Array | undefined {
    const me = this.me
    if (!me || !this.batch) return undefined
    const own = this.latest[me.index]
    const parents: Uint8Array[] = []
    for (const h of this.heads) {
      if (own && h === own.hex) continue
      parents.push(this.nodes.get(h)!.id)
    }
    // keep the highest blocks if the frontier is wider than a block may reference
    if (parents.length > MAX_PARENTS) {
      parents.sort((a, b) => this.nodes.get(toHex(b))!.height - this.nodes.get(toHex(a))!.height)
      parents.length = MAX_PARENTS
    }
    const { block, id, bytes } = createBlock({
      channelId: this.channel.channelId,
      author: fromHex(this.channel.config.participants[me.index]!.address, 20),
      seq: BigInt((own?.seq ?? 0) + 1),
      prev: own ? own.id : ZERO32,
      parents,
      ops: this.batch.ops,
      sessionKey: me.sessionKey,
      domainSeparator: this.channel.domainSeparator,
    })
    const results = this.batch.results
    this.batch = undefined
    const hex = toHex(id)
    for (let i = this.trades.length - 1; i >= 0 && this.trades[i]!.block === ''; i--)
      this.trades[i]!.block = hex
    const node: Node = {
      id,
      hex,
      block,
      bytes,
      author: me.index,
      seq: Number(block.seq),
      height: 0,
      vc: new Float64Array(0),
      segment: UNCOVERED,
      results: Uint8Array.from(results),
      badCheckpointOps: undefined,
    }
    this.integrate(node)
    // its own checkpoint signature may complete a threshold
    this.extendCheckpoints()
    // the block sorts last (its height exceeds every known block), so the state already reflects it
    if (this.order[this.order.length - 1] === node && this.dirtyFrom === Number.POSITIVE_INFINITY) {
      this.applied = this.order.length
      this.updateFinality()
      this.onUpdate?.()
    } else this.fold()
    return bytes
  }

  /** Signs `cp` with the session key and submits the signature as an op. Refuses a second digest per version. */
  signCheckpoint(cp: Checkpoint): Reject {
    if (!this.me) throw new Error('this replica has no author key')
    if (this.signedVersions.has(cp.version))
      throw new Error(`already signed a checkpoint at version ${cp.version}`)
    const digest = checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp)
    const signature = signDigest(digest, this.me.sessionKey)
    this.signedVersions.add(cp.version)
    const op: CheckpointOp = { tag: OpTag.Checkpoint, ...cp, signature }
    this.tally(cp, digest, this.me.index, signature)
    return this.submit(op).result
  }

  /**
   * Co-signs a checkpoint another participant proposed if it is for the next version, its cut is known and
   * the roots match what this replica computes for that cut. Returns why not, or 'signed'.
   */
  endorse(cp: Checkpoint): 'signed' | 'wrong-version' | 'unknown-heads' | 'root-mismatch' | 'already-signed' {
    if (cp.version !== BigInt(this.finalCheckpoints.length + 1)) return 'wrong-version'
    if (this.signedVersions.has(cp.version)) return 'already-signed'
    if (!cp.heads.every((h) => this.nodes.has(toHex(h)))) return 'unknown-heads'
    const s = this.stateOfCut(cp.heads)
    if (!bytesEqual(stateRoot(s), cp.stateRoot)) return 'root-mismatch'
    if (!bytesEqual(balancesTree(s, cp.version).root, cp.balancesRoot)) return 'root-mismatch'
    this.signCheckpoint(cp)
    return 'signed'
  }

  // ─── queries ──────────────────────────────────────────────────────────────────────────────────────────────

  stateRoot(): Uint8Array {
    return stateRoot(this.state)
  }

  headIds(): Hex[] {
    return [...this.heads].sort()
  }

  /** Participants detected as equivocators, ascending. */
  equivocators(): number[] {
    return [...this.forkSeq.keys()].sort((a, b) => a - b)
  }

  /** Wire bytes of every accepted block in canonical order: what a peer needs to catch up. */
  blocksInOrder(): Uint8Array[] {
    return this.order.map((n) => n.bytes ?? encodeNode(n))
  }

  opCounts(): { applied: number; skipped: number } {
    let applied = 0
    let skipped = 0
    for (const n of this.order)
      for (const r of n.results)
        if (r === Reject.None) applied++
        else skipped++
    return { applied, skipped }
  }

  get bufferedCount(): number {
    return this.buffered.size
  }
}

function encodeNode(n: Node): Uint8Array {
  n.bytes = encodeBlock(n.block)
  return n.bytes
}
