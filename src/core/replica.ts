import { createBlock, encodeBlock } from './block.ts'
import { fromHex, type Hex, toHex, ZERO32 } from './bytes.ts'
import { censoredRecord, type ForcedRecordTime, forceInclusionDelay } from './censorship.ts'
import type { Channel } from './channel.ts'
import { type Checkpoint, checkpointDigest, type SignedCheckpoint } from './checkpoint.ts'
import { CLOSE_REFUSAL_TEXT, closeDigest, closeDigestOf, closeRefusal } from './close.ts'
import { CloseBook } from './closeBook.ts'
import { Committer, compareInRound, leaderTime, linearize } from './committer.ts'
import {
  Dag,
  type Equivocation,
  type IngressReject,
  makeNode,
  type Node,
  type ReceiveResult,
  UNCOMMITTED,
} from './dag.ts'
import { type KeyEpoch, rotationOf, sameRotation } from './keys.ts'
import { leaderOf } from './leaders.ts'
import {
  type CheckpointOp,
  type CloseOp,
  encodeOps,
  MAX_CHECKPOINT_OPS_PER_BLOCK,
  MAX_OPS_PER_BLOCK,
  type Op,
  OpTag,
  type RotateKeyOp,
} from './ops.ts'
import { Reject } from './reasons.ts'
import { balancesTree, stateRoot } from './roots.ts'
import { addressFromPrivateKey, recoverAddress, signDigest } from './signature.ts'
import { fromRanges, type PrunedBase, toRanges } from './snapshot/base.ts'
import { forgetDecidedRounds, frontierOf, stubNodes, stubOf } from './snapshot/frontier.ts'
import { encodeState, restoreAtCheckpoint, SnapshotMismatchError } from './snapshot/stateCodec.ts'
import { ChannelState, type DepositRecord, mergeTimeReads } from './state.ts'

export type { Equivocation, IngressReject, Node, ReceiveResult }
export { UNCOMMITTED }

export type ReplicaOptions = {
  /** participant index and session key of the local author, when this replica writes */
  author?: { index: number; sessionKey: Uint8Array }
  /** ops an open batch may hold while it waits for the next round; submit refuses more (backpressure) */
  maxBatchOps?: number
  /** how long (caller's clock, ms) to wait for the previous round's leader before advancing without it */
  leaderWaitMs?: number
  /** the channel clock interval between automatic checkpoints (ms), when the final order has new ops */
  checkpointIntervalMs?: number
  /** blocks with unknown ancestors kept per author */
  bufferPerAuthor?: number
  /** take a rollback snapshot every this many applied blocks */
  snapshotInterval?: number
  /** deposit records credited before any block: tests, benchmarks and the simulator start funded this way */
  deposits?: readonly DepositRecord[]
  /** called for every block that joins the DAG (received, unblocked from the buffer, or sealed locally) */
  onAccept?: (node: Node) => void
  /** called after every change to the folded state */
  onUpdate?: () => void
}

/** An op that cannot be encoded (a field out of range): refused before it enters the batch. */
export class InvalidOpError extends Error {
  override name = 'InvalidOpError'
}

/** A key rotation this replica cannot carry out (wrong seq, or not signed by the participant's wallet). */
export class RotationError extends Error {
  override name = 'RotationError'
}

/** Submitting into a batch that is full while the next round is not yet open. */
export class BatchFullError extends Error {
  override name = 'BatchFullError'
}

/** A checkpoint signature that contradicts another by the same key, or the checkpoint every honest replica computed. */
export type CheckpointConflict = {
  author: number
  version: bigint
  /** the conflicting checkpoints, each with the author's signature */
  a: { checkpoint: Checkpoint; signature: Uint8Array }
  b: { checkpoint: Checkpoint; signature: Uint8Array } | undefined
}

type Snapshot = { index: number; state: ChannelState; trades: number }
/** the execution log (display only) keeps at most this many trades once the replica prunes */
const TRADES_KEPT = 10_000
/** states of this many checkpoints before the pruning one stay available in memory (stateOfCheckpoint) */
const RETAINED_BEFORE = 2n
/** per author, signed checkpoints kept for the newest this many versions it signed (older ones are forgotten) */
const VERSIONS_KEPT = 256
type DueCheckpoint = { version: bigint; leader: Node; time: bigint; position: number }
type SeenSignature = { checkpoint: Checkpoint; digest: Hex; signature: Uint8Array }

/**
 * One participant's copy of a channel: the validated round-based block DAG (dag.ts), the Mysticeti-C commit
 * rule over it (committer.ts), the state folded from the final order plus the pending tail, checkpoints derived
 * from commits, and equivocation evidence.
 *
 * Order: committed blocks in commit order (final: this prefix only ever grows), then every other accepted block
 * by (round, leader first, author, id) — pending, applied optimistically. A block that lands at the end applies in
 * O(its ops); one that lands earlier in the pending tail rolls back to the nearest snapshot and replays the tail.
 * The final prefix is never replayed.
 */
export class Replica {
  readonly channel: Channel
  readonly n: number
  readonly q: number
  readonly dag: Dag
  readonly committer: Committer
  /** final blocks (commit order) followed by pending blocks */
  readonly order: Node[] = []
  /** count of blocks at the front of the order that are final (committed) */
  finalCount = 0
  state: ChannelState
  /** channel clock at the last committed leader (ms) */
  clock = 0n
  /** committed leaders, in commit order */
  readonly leaders: Node[] = []
  /** the channel clock of each final block (by commitIndex): the time of the leader that committed it */
  private readonly commitTimes: bigint[] = []
  /** per applied block that read the clock: the clock epoch (ChannelState.timeKey) it was applied with */
  private readonly timeRead = new WeakMap<Node, bigint>()
  /** checkpoints computed from commits (version i + 1 at index i), with the valid signatures gathered for each */
  readonly checkpoints: SignedCheckpoint[] = []
  /** signatures over checkpoints that differ from the computed one, or two digests by one key at one version */
  readonly checkpointConflicts: CheckpointConflict[] = []
  /**
   * Checkpoints this replica refused to sign because they leave out forced record `index`, due at their channel time
   * (censorship.ts: the contract would slash the signature).
   */
  readonly censorshipRefusals: { version: bigint; index: bigint }[] = []
  /** forced record index → the block time (s) the contract recorded it at, as the store read it (noteForcedTimes) */
  private readonly forcedTimes = new Map<bigint, bigint>()
  /** cooperative close (issue #12): the Close signatures seen in accepted blocks, by checkpoint */
  readonly closes = new CloseBook()

  private applied = 0
  private dirtyFrom = Number.POSITIVE_INFINITY
  private readonly trades: ChannelState['trades'] = []
  private snapshots: Snapshot[] = []
  private readonly snapshotInterval: number
  /** per author and version: the first two distinct signed checkpoints seen */
  private readonly seenSignatures = new Map<string, SeenSignature[]>()
  /** per author: the versions it has entries for in seenSignatures */
  private readonly signedVersionsBy: bigint[][] = []
  private readonly due: DueCheckpoint[] = []
  private opsSinceCheckpoint = 0
  private lastCheckpointTime = 0n
  private checkpointRequested = false
  private readonly checkpointIntervalMs: bigint
  /** per author: seqs and rounds of its committed blocks, and the commit index where its equivocation is proven */
  private readonly committedSeqs: Set<number>[]
  private readonly committedRounds: Set<number>[]
  private readonly provenAt: number[]
  /** per author: key epochs in the order their rotations became final (the final order's key rule) */
  private readonly finalEpochs: { key: string; fromSeq: bigint }[][]
  /** accepted blocks carrying ops that are not committed yet: rounds go on while there are any */
  private uncommittedWithOps = 0

  // local author
  private readonly me: { index: number; sessionKey: Uint8Array } | undefined
  /** the local author's rotation, carried by each of its blocks from its fromSeq on */
  private rotation: RotateKeyOp | undefined
  /** keys the local author replaced, each with the version its checkpoint signatures stop at */
  private readonly oldKeys: { key: Uint8Array; untilVersion: bigint }[] = []
  /** address of the local author's current session key (cached: deriving it costs a scalar multiplication) */
  private myKey: string | undefined
  private readonly maxBatchOps: number
  private readonly leaderWaitMs: number
  /** `timeRead`: the clock epoch the batch's ops read, if any (recorded for the block it is sealed into) */
  private batch: { ops: Op[]; results: Reject[]; timeRead: bigint | undefined } | undefined
  /** the caller's clock at the last tick */
  private now = 0
  /** round → caller's time when it first had a quorum here without its leader */
  private readonly leaderWaitSince = new Map<number, number>()
  private readonly signedVersions = new Set<bigint>()
  private readonly toSign: Checkpoint[] = []
  private readonly onUpdate: (() => void) | undefined

  constructor(channel: Channel, options: ReplicaOptions = {}) {
    this.channel = channel
    this.n = channel.config.participants.length
    this.q = channel.config.threshold
    const dagOptions: ConstructorParameters<typeof Dag>[1] = {}
    if (options.bufferPerAuthor !== undefined) dagOptions.bufferPerAuthor = options.bufferPerAuthor
    if (options.onAccept) dagOptions.onAccept = options.onAccept
    this.dag = new Dag(channel, dagOptions)
    this.committer = new Committer(this.dag)
    this.snapshotInterval = options.snapshotInterval ?? 32
    this.checkpointIntervalMs = BigInt(options.checkpointIntervalMs ?? 10_000)
    this.me = options.author
    // one op of every block stays free for this replica's automatic checkpoint signature
    // and one for a key rotation (keys.ts)
    this.maxBatchOps = options.maxBatchOps ?? MAX_OPS_PER_BLOCK - 2
    if (
      !(
        Number.isInteger(this.maxBatchOps) &&
        this.maxBatchOps >= 1 &&
        this.maxBatchOps < MAX_OPS_PER_BLOCK - 1
      )
    )
      throw new RangeError(`maxBatchOps must be in [1, ${MAX_OPS_PER_BLOCK - 2}]`)
    this.leaderWaitMs = options.leaderWaitMs ?? 50
    this.onUpdate = options.onUpdate
    this.committedSeqs = Array.from({ length: this.n }, () => new Set())
    this.committedRounds = Array.from({ length: this.n }, () => new Set())
    this.provenAt = new Array(this.n).fill(UNCOMMITTED)
    this.finalEpochs = channel.sessionKeys.map((key) => [{ key, fromSeq: 0n }])
    this.state = new ChannelState(channel, this.trades)
    if (options.deposits) this.state.creditGenesis(options.deposits)
    this.snapshots.push({ index: 0, state: this.state.clone(), trades: 0 })
  }

  get nodes(): ReadonlyMap<Hex, Node> {
    return this.dag.nodes
  }
  get latest(): readonly (Node | undefined)[] {
    return this.dag.latest
  }
  get equivocations(): readonly Equivocation[] {
    return this.dag.equivocations
  }
  get ingress() {
    return this.dag.ingress
  }
  get bufferedCount(): number {
    return this.dag.bufferedCount
  }

  // ─── ingress ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Validates wire bytes and adds the block (and any blocks it unblocks); commits and folds the result. */
  receive(bytes: Uint8Array): ReceiveResult {
    return this.receiveMany([bytes])[0]!
  }

  /** Like receive() for many blocks, committing and folding once at the end: the way to apply a burst. */
  receiveMany(list: readonly Uint8Array[]): ReceiveResult[] {
    const accepted: Node[] = []
    const equivocators = this.dag.equivocators.size
    const out = list.map((b) => this.dag.ingest(b, accepted))
    this.afterAccept(accepted, equivocators)
    return out
  }

  private afterAccept(accepted: readonly Node[], equivocatorsBefore: number): void {
    for (const node of accepted) {
      if (hasWork(node)) this.uncommittedWithOps++
      this.insertPending(node)
    }
    this.applyLearnedRotations()
    for (const node of accepted) this.checkCheckpointOps(node)
    if (this.dag.equivocators.size !== equivocatorsBefore) {
      // a newly proven equivocator's pending blocks become void: replay the tail from its first one
      for (let i = this.finalCount; i < this.order.length; i++)
        if (this.dag.equivocators.has(this.order[i]!.author)) {
          this.markDirty(i)
          break
        }
    }
    this.commit()
    this.fold()
  }

  /** Places an accepted block in the pending tail. */
  private insertPending(node: Node): void {
    let lo = this.finalCount
    let hi = this.order.length
    if (hi > lo && compareInRound(this.order[hi - 1]!, node, this.n) > 0) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (compareInRound(this.order[mid]!, node, this.n) < 0) lo = mid + 1
        else hi = mid
      }
    } else lo = hi
    if (lo === this.order.length) this.order.push(node)
    else this.order.splice(lo, 0, node)
    if (lo < this.applied) {
      this.applied++
      this.markDirty(lo)
    }
  }

  private markDirty(pos: number): void {
    if (pos < this.dirtyFrom) this.dirtyFrom = pos
    this.snapshots = this.snapshots.filter((s) => s.index <= pos)
  }

  // ─── commit ───────────────────────────────────────────────────────────────────────────────────────────────

  /** Runs the commit rule; moves newly committed histories into the final prefix in commit order. */
  private commit(): void {
    const leaders = this.committer.advance()
    if (leaders.length === 0) return
    const oldFinal = this.finalCount
    const committed: Node[] = []
    // a block applied as pending under the pending void rule that the final rule judges otherwise is replayed
    let revoid = Number.POSITIVE_INFINITY
    for (const leader of leaders) {
      const sub = linearize(leader, this.n, (x) => x.commitIndex !== UNCOMMITTED)
      const time = leaderTime(leader, this.clock)
      const key = this.state.timeKey(time)
      let requested = false
      for (const x of sub) {
        const wasVoid = this.isVoid(x)
        x.commitIndex = oldFinal + committed.length
        committed.push(x)
        this.commitTimes[x.commitIndex] = time
        this.markCommitted(x)
        if (x.voided !== wasVoid && x.commitIndex < revoid) revoid = x.commitIndex
        // applied (as pending) with a clock epoch other than its final one: replay it
        const read = this.timeRead.get(x)
        if (read !== undefined && read !== key && x.commitIndex < revoid) revoid = x.commitIndex
        if (hasWork(x)) this.uncommittedWithOps--
        if (x.voided) continue
        for (const op of x.block.ops)
          if (op.tag === OpTag.CheckpointRequest) requested = true
          else if (op.tag !== OpTag.Checkpoint && op.tag !== OpTag.RotateKey && op.tag !== OpTag.Close)
            this.opsSinceCheckpoint++
      }
      this.leaders.push(leader)
      this.clock = time
      if (requested) this.checkpointRequested = true
      const dueByTime =
        this.opsSinceCheckpoint > 0 && this.clock - this.lastCheckpointTime >= this.checkpointIntervalMs
      if (this.checkpointRequested || dueByTime) {
        this.due.push({
          version: BigInt(this.checkpoints.length + this.due.length + 1),
          leader,
          time: this.clock,
          position: oldFinal + committed.length,
        })
        this.checkpointRequested = false
        this.opsSinceCheckpoint = 0
        this.lastCheckpointTime = this.clock
      }
    }
    // the pending tail minus what was committed, in its order; the final prefix grows by `committed`
    const rest: Node[] = []
    for (let i = oldFinal; i < this.order.length; i++) {
      const x = this.order[i]!
      if (x.commitIndex === UNCOMMITTED) rest.push(x)
    }
    let diff = oldFinal
    const next = committed.concat(rest)
    while (diff - oldFinal < next.length && diff < revoid && this.order[diff] === next[diff - oldFinal])
      diff++
    for (let i = diff; i < this.order.length; i++) this.order[i] = next[i - oldFinal]!
    this.finalCount = oldFinal + committed.length
    if (diff < this.order.length) this.markDirty(diff)
  }

  /**
   * The key rule and the equivocation rule of the final order. A rotation applies from the position where the first
   * block carrying it becomes final: a later final block of that author at or above its fromSeq signed by a key it
   * replaced is void (RevokedKey) and proves nothing. Otherwise an author's blocks from the first committed
   * conflict on are void.
   */
  private markCommitted(x: Node): void {
    const a = x.author
    const epochs = this.finalEpochs[a]!
    // a rotation applies from its first final carrier (signed by its new key, the DAG checked)
    const rotation = rotationOf(x.block)
    if (rotation && rotation !== 'misplaced' && !epochs.some((e) => e.fromSeq === rotation.fromSeq))
      epochs.push({ key: x.key, fromSeq: rotation.fromSeq })
    let inForce = epochs[0]!
    for (const e of epochs) if (e.fromSeq <= BigInt(x.seq) && e.fromSeq >= inForce.fromSeq) inForce = e
    x.revoked = inForce.key !== x.key
    if (x.revoked) {
      x.voided = true
      return
    }
    if (this.committedSeqs[a]!.has(x.seq) || this.committedRounds[a]!.has(x.round))
      if (x.commitIndex < this.provenAt[a]!) this.provenAt[a] = x.commitIndex
    this.committedSeqs[a]!.add(x.seq)
    this.committedRounds[a]!.add(x.round)
    x.voided = x.commitIndex >= this.provenAt[a]!
  }

  /**
   * Whether a block's ops are void: committed ones by the final order's rules, pending ones if its author forked or
   * the block is known to be signed by a replaced key.
   */
  isVoid(node: Node): boolean {
    if (node.commitIndex !== UNCOMMITTED) return node.voided
    return this.dag.equivocators.has(node.author) || this.dag.isRevoked(node)
  }

  /** Why a void block's ops were skipped. */
  private voidReason(node: Node): Reject {
    const revoked = node.commitIndex !== UNCOMMITTED ? node.revoked : this.dag.isRevoked(node)
    return revoked ? Reject.RevokedKey : Reject.Equivocator
  }

  /**
   * A rotation learned from a new block: the author's pending blocks are judged again, and signatures it gathered
   * at versions from the rotation's fromVersion on that are not by the new key no longer count.
   */
  private applyLearnedRotations(): void {
    const learned = this.dag.learnedRotations.splice(0)
    for (const { author, epoch } of learned) {
      for (let i = this.finalCount; i < this.order.length; i++)
        if (this.order[i]!.author === author) {
          this.markDirty(i)
          break
        }
      for (const cp of this.checkpoints) {
        const sig = cp.version >= epoch.fromVersion ? cp.signatures.get(author) : undefined
        if (
          sig &&
          recoverAddress(fromHex(cp.digest, 32), sig) !== this.dag.keys.keyForVersion(author, cp.version)
        )
          cp.signatures.delete(author)
      }
    }
  }

  // ─── the fold ─────────────────────────────────────────────────────────────────────────────────────────────

  private applyNode(state: ChannelState, node: Node): void {
    const ops = node.block.ops
    if (this.isVoid(node)) {
      node.results.fill(this.voidReason(node))
      return
    }
    const ctx = {
      author: node.author,
      seq: BigInt(node.seq),
      index: 0,
      height: node.round,
      block: node.hex,
      time: this.timeOf(node),
    }
    state.timeRead = undefined
    for (let i = 0; i < ops.length; i++) {
      ctx.index = i
      if (node.badCheckpointOps?.has(i)) {
        node.results[i] = Reject.CheckpointInvalid
        continue
      }
      node.results[i] = state.apply(ops[i]!, ctx)
    }
    if (state.timeRead !== undefined) this.timeRead.set(node, state.timeRead)
    else this.timeRead.delete(node)
  }

  /**
   * The channel clock at a block's position: a final block has the time of the leader that committed it, a
   * pending one the time of the last committed leader. A function of the final order only.
   */
  timeOf(node: Node): bigint {
    return node.commitIndex !== UNCOMMITTED ? this.commitTimes[node.commitIndex]! : this.clock
  }

  /** Brings `state` up to date with the order: rolls back and replays when something landed before `applied`. */
  private fold(): void {
    const hadBatch = this.batch !== undefined && this.batch.ops.length > 0
    let from = Math.min(this.dirtyFrom, this.applied)
    if (hadBatch || from < this.applied) {
      let s = this.snapshots[0]!
      for (const x of this.snapshots) if (x.index <= from && x.index >= s.index) s = x
      this.snapshots = this.snapshots.filter((x) => x.index <= s.index)
      this.state = s.state.clone()
      this.trades.length = s.trades
      from = s.index
    }
    if (this.finalCache && this.finalCache.count > from) this.finalCache = undefined
    this.dirtyFrom = Number.POSITIVE_INFINITY
    for (let i = from; i < this.order.length; i++) {
      this.applyNode(this.state, this.order[i]!)
      const at = i + 1
      if ((at % this.snapshotInterval === 0 || at === this.finalCount) && at < this.order.length)
        this.takeSnapshot(at)
    }
    this.applied = this.order.length
    this.computeDueCheckpoints()
    if (this.batch && this.batch.ops.length > 0) {
      this.takeSnapshot(this.applied)
      const ops = this.batch.ops
      this.batch.results = []
      this.batch.timeRead = undefined
      for (const op of ops) this.batch.results.push(this.applyLocal(op))
    }
    this.pruneSnapshots()
    this.onUpdate?.()
  }

  private takeSnapshot(index: number): void {
    const last = this.snapshots[this.snapshots.length - 1]
    if (last && last.index >= index) return
    this.snapshots.push({ index, state: this.state.clone(), trades: this.trades.length })
  }

  /** Snapshots inside the final prefix are no longer needed, except genesis and the last one. */
  private pruneSnapshots(): void {
    const f = this.finalCount
    let keep = 0
    for (let i = 0; i < this.snapshots.length; i++) if (this.snapshots[i]!.index <= f) keep = i
    if (keep > 1) this.snapshots = [this.snapshots[0]!, ...this.snapshots.slice(keep)]
  }

  /** The state after order[0 … position) and the length the execution log had there. */
  private stateAndTradesAt(position: number): { state: ChannelState; trades: number } {
    let s = this.snapshots[0]!
    for (const x of this.snapshots) if (x.index <= position && x.index >= s.index) s = x
    const state = this.stateAt(position)
    return { state, trades: s.trades + state.trades.length }
  }

  /** The state after order[0 … position), for a position inside the applied prefix. */
  private stateAt(position: number): ChannelState {
    let s = this.snapshots[0]!
    for (const x of this.snapshots) if (x.index <= position && x.index >= s.index) s = x
    const state = s.state.clone()
    state.trades = []
    for (let i = s.index; i < position; i++) {
      const node = this.order[i]!
      const saved = node.results.slice()
      this.applyNode(state, node)
      node.results.set(saved)
    }
    return state
  }

  private finalCache: { count: number; state: ChannelState } | undefined

  /**
   * The state after the final prefix of the order: what no later block can change. Balances shown as "final"
   * come from here; the live `state` adds everything pending.
   */
  finalState(): ChannelState {
    const f = this.finalCount
    if (this.finalCache && this.finalCache.count === f) return this.finalCache.state
    const state = this.stateAt(f)
    this.finalCache = { count: f, state }
    return state
  }

  isFinal(node: Node): boolean {
    return node.commitIndex !== UNCOMMITTED
  }

  // ─── checkpoints ──────────────────────────────────────────────────────────────────────────────────────────

  private computeDueCheckpoints(): void {
    while (this.due.length > 0) {
      const d = this.due.shift()!
      const state = this.stateAt(d.position)
      const cp: Checkpoint = {
        version: d.version,
        leader: d.leader.id,
        time: d.time,
        depositCount: state.depositCount,
        forcedCount: state.forcedCount,
        stateRoot: stateRoot(state),
        balancesRoot: balancesTree(state, d.version).root,
      }
      const digest = toHex(checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp))
      const signed: SignedCheckpoint = { ...cp, digest, signatures: new Map() }
      this.checkpoints.push(signed)
      for (let a = 0; a < this.n; a++)
        for (const s of this.seenSignatures.get(`${a}:${cp.version}`) ?? []) this.admitSignature(a, s)
      if (this.me && !this.signedVersions.has(cp.version)) this.toSign.push(cp)
    }
  }

  /** Verifies checkpoint-op signatures once, at acceptance, and files them by (author, version). */
  private checkCheckpointOps(node: Node): void {
    const ops = node.block.ops
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!
      if (op.tag === OpTag.Close) {
        this.fileClose(node.author, op)
        continue
      }
      if (op.tag !== OpTag.Checkpoint) continue
      const cp = checkpointOf(op)
      const digest = toHex(checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp))
      const key = this.dag.keys.keyForVersion(node.author, cp.version)
      if (!this.dag.signedBy(fromHex(digest, 32), op.signature, key)) {
        node.badCheckpointOps ??= new Set()
        node.badCheckpointOps.add(i)
        continue
      }
      this.fileSignature(node.author, { checkpoint: cp, digest, signature: op.signature })
    }
  }

  private fileClose(author: number, op: CloseOp): void {
    const digest = closeDigestOf(this.channel, op.version, op.checkpointDigest)
    const key = this.dag.keys.keyForVersion(author, op.version)
    if (this.dag.signedBy(digest, op.signature, key))
      this.closes.file(author, op.version, toHex(op.checkpointDigest), op.signature)
  }

  /**
   * This participant's Close op for the checkpoint it computed at `version` (cooperative close, issue #12), signed by
   * the key in force for that version; submit it to send it through the channel. Throws with the core's refusal
   * (closeRefusal) when it has not computed that checkpoint or already signed another close at that version.
   */
  closeOp(version: bigint): CloseOp {
    const me = this.me
    if (!me) throw new Error('this replica has no author key')
    const own = this.checkpoints[Number(version) - 1]
    const refusal = own && closeRefusal(this.channel, own, own, this.closes.signedBy(me.index, version))
    if (!own || refusal) throw new Error(CLOSE_REFUSAL_TEXT[refusal ?? 'not-computed'])
    const old = this.oldKeys.find((k) => version < k.untilVersion)
    const signature = signDigest(closeDigest(this.channel, own), old ? old.key : me.sessionKey)
    return { tag: OpTag.Close, version, checkpointDigest: fromHex(own.digest, 32), signature }
  }

  private fileSignature(author: number, s: SeenSignature): void {
    const key = `${author}:${s.checkpoint.version}`
    const seen = this.seenSignatures.get(key) ?? []
    if (seen.some((x) => x.digest === s.digest) || seen.length >= 2) return
    seen.push(s)
    if (seen.length === 1) {
      // bounded per author whatever versions a Byzantine key signs: forget its lowest one
      const versions = this.signedVersionsBy[author] ?? []
      this.signedVersionsBy[author] = versions
      versions.push(s.checkpoint.version)
      if (versions.length > VERSIONS_KEPT) {
        let low = 0
        for (let i = 1; i < versions.length; i++) if (versions[i]! < versions[low]!) low = i
        const dropped = versions.splice(low, 1)[0]!
        if (dropped === s.checkpoint.version) return
        this.seenSignatures.delete(`${author}:${dropped}`)
      }
    }
    this.seenSignatures.set(key, seen)
    if (seen.length === 2)
      this.checkpointConflicts.push({
        author,
        version: s.checkpoint.version,
        a: { checkpoint: seen[0]!.checkpoint, signature: seen[0]!.signature },
        b: { checkpoint: s.checkpoint, signature: s.signature },
      })
    this.admitSignature(author, s)
  }

  /** Counts a signature toward the computed checkpoint of its version, or records it as contradicting it. */
  private admitSignature(author: number, s: SeenSignature): void {
    const cp = this.checkpoints[Number(s.checkpoint.version) - 1]
    if (!cp) return
    if (cp.digest === s.digest) {
      if (!cp.signatures.has(author)) cp.signatures.set(author, s.signature)
    } else if (
      !this.checkpointConflicts.some((c) => c.author === author && c.version === s.checkpoint.version)
    )
      this.checkpointConflicts.push({
        author,
        version: s.checkpoint.version,
        a: { checkpoint: s.checkpoint, signature: s.signature },
        b: undefined,
      })
  }

  /**
   * Signs the newest computed checkpoint not signed yet and queues the signature for the block being sealed: one
   * signature per block keeps blocks under MAX_CHECKPOINT_OPS_PER_BLOCK however far behind this replica was.
   * Older unsigned versions are passed over for good (a newer one supersedes them on chain); a version is never
   * signed twice.
   */
  private attachSignature(): void {
    const me = this.me
    if (!me || this.toSign.length === 0) return
    let cp = this.toSign[0]!
    for (const c of this.toSign) if (c.version > cp.version) cp = c
    for (const c of this.toSign) this.signedVersions.add(c.version)
    this.toSign.length = 0
    const censored = censoredRecord(
      cp,
      Array.from(this.forcedTimes, ([index, time]) => ({ index, time })),
      forceInclusionDelay(this.channel.config.params.disputeWindow),
    )
    if (censored !== undefined) {
      this.censorshipRefusals.push({ version: cp.version, index: censored })
      return
    }
    const digest = checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp)
    // a version below a rotation's fromVersion is signed by the key that was in force for it
    const old = this.oldKeys.find((k) => cp.version < k.untilVersion)
    const signature = signDigest(digest, old ? old.key : me.sessionKey)
    this.fileSignature(me.index, { checkpoint: cp, digest: toHex(digest), signature })
    this.enqueue({ tag: OpTag.Checkpoint, ...cp, signature })
  }

  /**
   * Tells the replica when the contract recorded forced records (chain block time, seconds), so that it never signs
   * a checkpoint leaving out one already due at the checkpoint's time (censorship.ts). The store calls it with every
   * record not yet included each time it polls them; records already known keep their first time.
   */
  noteForcedTimes(records: Iterable<ForcedRecordTime>): void {
    for (const r of records) if (!this.forcedTimes.has(r.index)) this.forcedTimes.set(r.index, r.time)
  }

  /** The newest checkpoint with signatures by at least q participants: what can be proposed on chain. */
  latestCertified(): SignedCheckpoint | undefined {
    for (let i = this.checkpoints.length - 1; i >= 0; i--)
      if (this.checkpoints[i]!.signatures.size >= this.q) return this.checkpoints[i]
    return undefined
  }

  /** The newest checkpoint signed by every participant (what an emergency exit needs). */
  latestFullySigned(): SignedCheckpoint | undefined {
    for (let i = this.checkpoints.length - 1; i >= 0; i--)
      if (this.checkpoints[i]!.signatures.size === this.n) return this.checkpoints[i]
    return undefined
  }

  /** The state a computed checkpoint commits to (for exit proofs). */
  stateOfCheckpoint(version: bigint): ChannelState {
    const cp = this.checkpoints[Number(version) - 1]
    if (!cp) throw new Error(`no checkpoint at version ${version}`)
    const kept = this.retained.get(version)
    if (kept) return kept.clone()
    const leader = this.dag.nodes.get(toHex(cp.leader))
    if (!leader || leader.pruned)
      throw new Error(`checkpoint ${version} lies below the pruning point (checkpoint ${this.prunedVersion})`)
    return this.stateAt(leader.commitIndex + 1)
  }

  // ─── pruning and reload (snapshot/) ───────────────────────────────────────────────────────────────────────

  /** final blocks pruned so far: order[0] is the block at this position of the whole final order */
  prunedCount = 0
  /** the certified checkpoint this replica last pruned at (0: never) */
  prunedVersion = 0n
  /** states of checkpoints whose blocks are pruned: the pruning one and an older fully signed one (exits) */
  private retained = new Map<bigint, ChannelState>()

  /**
   * Drops every final block up to the newest certified checkpoint's leader (if it is newer than the last pruning
   * point and at least `minBlocks` blocks would go): the state there becomes the fold's base, the blocks become
   * stubs (frontier.ts) so tail blocks referencing them still validate. Returns the base to persist, or undefined
   * when nothing was pruned. Evidence, checkpoints and their signatures, and the states exits need stay.
   */
  prune(minBlocks = 1): PrunedBase | undefined {
    if (this.dirtyFrom !== Number.POSITIVE_INFINITY || this.due.length > 0) this.fold()
    const cp = this.latestCertified()
    if (!cp || cp.version <= this.prunedVersion) return undefined
    const leader = this.dag.nodes.get(toHex(cp.leader))
    if (!leader || leader.pruned || leader.commitIndex === UNCOMMITTED) return undefined
    const pos = leader.commitIndex + 1
    if (pos < minBlocks) return undefined
    const { state, trades } = this.stateAndTradesAt(pos)
    this.markPruned(pos, leader.round + 1)
    const full = this.latestFullySigned()
    const keep = new Map<bigint, ChannelState>([[cp.version, state.clone()]])
    if (full && full.version < cp.version) keep.set(full.version, this.stateOfCheckpoint(full.version))
    // the checkpoints just before it too: one may have been proposed on chain before the pruner saw the dispute
    for (let v = cp.version - 1n; v >= 1n && v >= cp.version - RETAINED_BEFORE; v--) {
      const at = this.dag.nodes.get(toHex(this.checkpoints[Number(v) - 1]!.leader))
      if (!keep.has(v) && (this.retained.has(v) || (at && !at.pruned))) keep.set(v, this.stateOfCheckpoint(v))
    }
    stubNodes(this.order.slice(0, pos))
    forgetDecidedRounds(this.dag, leader.round)
    this.order.splice(0, pos)
    for (let i = 0; i < this.finalCount - pos; i++) this.order[i]!.commitIndex -= pos
    this.finalCount -= pos
    this.applied -= pos
    this.commitTimes.splice(0, pos)
    for (let a = 0; a < this.n; a++)
      if (this.provenAt[a] !== UNCOMMITTED) this.provenAt[a] = Math.max(0, this.provenAt[a]! - pos)
    this.leaders.splice(0, this.leaders.findIndex((l) => !l.pruned) >>> 0)
    state.trades = this.trades
    const rest = this.snapshots.filter((x) => x.index > pos).map((x) => ({ ...x, index: x.index - pos }))
    this.snapshots = [{ index: 0, state, trades }, ...rest]
    // the execution log is display history: bounded once the replica prunes
    const drop = Math.min(this.trades.length - TRADES_KEPT, trades)
    if (drop > 0) {
      this.trades.splice(0, drop)
      for (const x of this.snapshots) x.trades -= drop
    }
    this.finalCache = undefined
    this.retained = keep
    this.prunedCount += pos
    this.prunedVersion = cp.version
    return this.base()
  }

  /**
   * The final order's bookkeeping as of the pruning checkpoint's leader (not as of now: a reload re-commits the
   * tail), carried from one pruning to the next: committed seqs and rounds, who was proven to fork, key epochs.
   */
  private mark:
    | {
        seqs: Set<number>[]
        rounds: Set<number>[]
        proven: boolean[]
        finalEpochs: { key: string; fromSeq: bigint }[][]
        nextRound: number
      }
    | undefined

  private markPruned(pos: number, nextRound: number): void {
    const prev = this.mark
    const seqs = prev ? prev.seqs : Array.from({ length: this.n }, () => new Set<number>())
    const rounds = prev ? prev.rounds : Array.from({ length: this.n }, () => new Set<number>())
    const finalEpochs = prev
      ? prev.finalEpochs
      : this.channel.sessionKeys.map((key) => [{ key, fromSeq: 0n }])
    for (let i = 0; i < pos; i++) {
      const x = this.order[i]!
      const rotation = rotationOf(x.block)
      const epochs = finalEpochs[x.author]!
      if (rotation && rotation !== 'misplaced' && !epochs.some((e) => e.fromSeq === rotation.fromSeq))
        epochs.push({ key: x.key, fromSeq: rotation.fromSeq })
      if (x.revoked) continue
      seqs[x.author]!.add(x.seq)
      rounds[x.author]!.add(x.round)
    }
    const proven = this.provenAt.map((p, a) => (prev?.proven[a] ?? false) || p < pos)
    this.mark = { seqs, rounds, proven, finalEpochs, nextRound }
  }

  /**
   * Whether a block is final at or below the newest certified checkpoint's leader: what prune() would drop now
   * (peers prune at their own pace; a deletion of such a block from the shared doc needs no repair).
   */
  isPrunable(node: Node): boolean {
    if (node.pruned) return true
    if (node.commitIndex === UNCOMMITTED) return false
    const cp = this.latestCertified()
    const leader = cp && this.dag.nodes.get(toHex(cp.leader))
    if (!leader) return false
    return leader.pruned || node.commitIndex <= leader.commitIndex
  }

  /** What a reload starts from (see PrunedBase); undefined before the first pruning. */
  base(): PrunedBase | undefined {
    const mark = this.mark
    if (this.prunedVersion === 0n || !mark) return undefined
    const full = [...this.retained.keys()].find((v) => v !== this.prunedVersion)
    let signed = 0n
    for (const v of this.signedVersions) if (v > signed) signed = v
    return {
      version: this.prunedVersion,
      state: encodeState(this.retained.get(this.prunedVersion)!),
      position: this.prunedCount,
      exitState:
        full === undefined ? undefined : { version: full, state: encodeState(this.retained.get(full)!) },
      // the tail re-computes later checkpoints (their signatures are in tail blocks)
      checkpoints: this.checkpoints
        .slice(0, Number(this.prunedVersion))
        .map((c) => ({ ...c, signatures: new Map(c.signatures) })),
      frontier: frontierOf(this.dag),
      heads: [...this.dag.heads].filter((h) => this.dag.nodes.get(h)?.pruned),
      nextRound: mark.nextRound,
      clock: this.prunedClock(),
      committedSeqs: mark.seqs.map((x) => toRanges(x)),
      committedRounds: mark.rounds.map((x) => toRanges(x)),
      proven: mark.proven.slice(),
      finalEpochs: mark.finalEpochs.map((l) => l.map((e) => ({ ...e }))),
      epochs: this.dag.keys.epochs.map((l) => l.map((e) => ({ ...e }))),
      equivocators: [...this.dag.equivocators].sort((a, b) => a - b),
      equivocations: [...this.dag.equivocations],
      checkpointConflicts: this.checkpointConflicts.filter((c) => c.version <= this.prunedVersion),
      // right after a checkpoint's leader the schedule restarts (commit())
      opsSinceCheckpoint: 0,
      lastCheckpointTime: this.prunedClock(),
      checkpointRequested: false,
      signedVersion: signed,
    }
  }

  /** The channel clock at the pruning checkpoint (its time), what the tail's first commit starts from. */
  private prunedClock(): bigint {
    return this.checkpoints[Number(this.prunedVersion) - 1]!.time
  }

  /**
   * Starts a fresh replica (nothing received yet) from a pruned base instead of the blocks below it. Refuses
   * (SnapshotMismatchError) a base whose checkpoint is not certified by q valid signatures or whose state is not the
   * one the checkpoint signs; the tail blocks are fed afterwards as usual (receiveMany, ChannelDoc.ingestDurable).
   */
  restore(base: PrunedBase): void {
    if (this.dag.nodes.size > 0 || this.order.length > 0) throw new Error('restore() needs a fresh replica')
    this.dag.keys.restore(base.epochs)
    const certified = (cp: SignedCheckpoint | undefined, version: bigint): SignedCheckpoint => {
      if (!cp || cp.version !== version)
        throw new SnapshotMismatchError(`no checkpoint ${version} in the base`)
      const digest = checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp)
      if (toHex(digest) !== cp.digest) throw new SnapshotMismatchError(`checkpoint ${version}: wrong digest`)
      let valid = 0
      for (const [a, sig] of cp.signatures)
        if (a < this.n && recoverAddress(digest, sig) === this.dag.keys.keyForVersion(a, version)) valid++
      if (valid < this.q) throw new SnapshotMismatchError(`checkpoint ${version} is not signed by a quorum`)
      return cp
    }
    const cp = certified(base.checkpoints[Number(base.version) - 1], base.version)
    const state = restoreAtCheckpoint(this.channel, base.state, cp)
    this.retained = new Map([[base.version, state.clone()]])
    if (base.exitState) {
      const v = base.exitState.version
      const full = certified(base.checkpoints[Number(v) - 1], v)
      this.retained.set(v, restoreAtCheckpoint(this.channel, base.exitState.state, full))
    }
    state.trades = this.trades
    this.state = state
    this.snapshots = [{ index: 0, state: state.clone(), trades: 0 }]
    this.checkpoints.push(...base.checkpoints.map((c) => ({ ...c, signatures: new Map(c.signatures) })))
    const authors = this.channel.config.participants.map((p) => fromHex(p.address, 20))
    for (const ref of base.frontier) {
      const key = ref.revoked ? '' : this.dag.keys.keyAtSeq(ref.author, BigInt(ref.seq))
      this.dag.addStub(stubOf(ref, this.channel.channelId, authors[ref.author]!, key))
    }
    for (const h of base.heads) if (this.dag.nodes.has(h as Hex)) this.dag.heads.add(h as Hex)
    for (const a of base.equivocators) this.dag.equivocators.add(a)
    this.dag.equivocations.push(...base.equivocations)
    this.checkpointConflicts.push(...base.checkpointConflicts)
    this.committer.nextRound = base.nextRound
    this.clock = base.clock
    for (let a = 0; a < this.n; a++) {
      this.committedSeqs[a] = fromRanges(base.committedSeqs[a] ?? [])
      this.committedRounds[a] = fromRanges(base.committedRounds[a] ?? [])
      this.provenAt[a] = base.proven[a] ? 0 : UNCOMMITTED
      if (base.finalEpochs[a]) this.finalEpochs[a] = base.finalEpochs[a]!.map((e) => ({ ...e }))
    }
    this.mark = {
      seqs: this.committedSeqs.map((x) => new Set(x)),
      rounds: this.committedRounds.map((x) => new Set(x)),
      proven: base.proven.slice(),
      finalEpochs: this.finalEpochs.map((l) => l.map((e) => ({ ...e }))),
      nextRound: base.nextRound,
    }
    this.opsSinceCheckpoint = base.opsSinceCheckpoint
    this.lastCheckpointTime = base.lastCheckpointTime
    this.checkpointRequested = base.checkpointRequested
    // every version up to the highest this author signed stays signed: never sign one twice
    for (let v = 1n; v <= base.signedVersion; v++) this.signedVersions.add(v)
    this.prunedCount = base.position
    this.prunedVersion = base.version
    this.onUpdate?.()
  }

  // ─── local authoring ──────────────────────────────────────────────────────────────────────────────────────

  private applyLocal(op: Op): Reject {
    const me = this.me!
    const ctx = {
      author: me.index,
      seq: BigInt((this.dag.latest[me.index]?.seq ?? 0) + 1),
      index: this.batch!.results.length,
      height: this.dag.quorumRound + 1,
      block: '',
      time: this.clock,
    }
    this.state.timeRead = undefined
    const r = this.state.apply(op, ctx)
    this.batch!.timeRead = mergeTimeReads(this.batch!.timeRead, this.state.timeRead)
    return r
  }

  private enqueue(op: Op): { seq: bigint; index: number; result: Reject } {
    // an op the codec cannot encode would make the whole batch unsealable: refuse it before it applies
    try {
      encodeOps([op])
    } catch (e) {
      throw new InvalidOpError(e instanceof Error ? e.message : String(e))
    }
    if (!this.batch) this.batch = { ops: [], results: [], timeRead: undefined }
    if (op.tag === OpTag.Checkpoint || op.tag === OpTag.Close) {
      // keep one checkpoint slot of the block for the automatic signature
      let n = 0
      for (const x of this.batch.ops) if (x.tag === OpTag.Checkpoint || x.tag === OpTag.Close) n++
      if (n >= MAX_CHECKPOINT_OPS_PER_BLOCK - 1)
        throw new InvalidOpError(
          `at most ${MAX_CHECKPOINT_OPS_PER_BLOCK - 1} checkpoint signatures per block`,
        )
    }
    if (this.batch.ops.length === 0) this.takeSnapshot(this.applied)
    const seq = BigInt((this.dag.latest[this.me!.index]?.seq ?? 0) + 1)
    const index = this.batch.ops.length
    const result = this.applyLocal(op)
    this.batch.ops.push(op)
    this.batch.results.push(result)
    return { seq, index, result }
  }

  /**
   * Applies a local op at once (pending) and queues it for this author's next block. Returns the (seq, index)
   * naming what the op creates and its result at its current position. Throws BatchFullError when the batch is
   * full and the next round is not open yet. `now` is the caller's clock (ms).
   */
  submit(
    op: Op,
    now = this.now,
  ): { seq: bigint; index: number; result: Reject; sealed: Uint8Array | undefined } {
    if (!this.me) throw new Error('this replica has no author key')
    if (this.dirtyFrom !== Number.POSITIVE_INFINITY) this.fold()
    if ((this.batch?.ops.length ?? 0) >= this.maxBatchOps) {
      const sealed = this.tick(now)
      if (!sealed) throw new BatchFullError(`${this.maxBatchOps} ops wait for the next round`)
      const r = this.enqueue(op)
      return { ...r, sealed }
    }
    const r = this.enqueue(op)
    this.onUpdate?.()
    return { ...r, sealed: undefined }
  }

  /**
   * Where a key rotation signed now would start: this author's next block, and the version after every checkpoint
   * this replica computed (so every version it may already have signed stays with the old key).
   */
  rotationPoint(): { fromSeq: bigint; fromVersion: bigint } {
    if (!this.me) throw new Error('this replica has no author key')
    const next = (this.dag.latest[this.me.index]?.seq ?? 0) + 1
    let version = BigInt(this.checkpoints.length + this.due.length)
    for (const v of this.signedVersions) if (v > version) version = v
    return { fromSeq: BigInt(next), fromVersion: version + 1n }
  }

  /**
   * Replaces this author's session key (issue #12): `op` is the wallet-signed rotation (keys.ts signRotation /
   * rotationOp) to the key `newKey` (private). From the next block on, blocks are signed by the new key and carry
   * `op`; checkpoint versions from op.fromVersion on are signed by it, older ones by the key they belong to.
   * Throws RotationError when op.fromSeq is not the next block's seq, the wallet did not sign it, or `newKey` is
   * not the key it names.
   */
  rotateKey(newKey: Uint8Array, op: RotateKeyOp): void {
    const me = this.me
    if (!me) throw new Error('this replica has no author key')
    const next = BigInt((this.dag.latest[me.index]?.seq ?? 0) + 1)
    if (op.fromSeq !== next)
      throw new RotationError(
        `the rotation starts at block ${op.fromSeq}, the next block is ${next}: sign again`,
      )
    if (!this.dag.keys.valid(me.index, op)) throw new RotationError('not signed by this participant’s wallet')
    if (addressFromPrivateKey(newKey) !== toHex(op.newKey))
      throw new RotationError('newKey is not the rotated key')
    if (this.rotation && op.fromVersion < this.rotation.fromVersion)
      throw new RotationError('fromVersion below the previous rotation’s')
    this.oldKeys.push({ key: me.sessionKey, untilVersion: op.fromVersion })
    me.sessionKey = newKey
    this.myKey = undefined
    this.rotation = op
  }

  /**
   * Restores this author's rotations after a restart, once its own blocks are back in the replica: `rotations` are
   * every rotateKey it made, in order, each with its private key (the caller keeps them durably before rotating).
   * The result is the same as the original rotateKey calls: the newest key signs from the next block on, older
   * versions with the key they belong to. Throws RotationError when a rotation was not signed by the wallet, names
   * another key, starts above the next block or out of order, or when the newest own block does not carry the
   * rotation in force at its seq (the stored rotations are not this author's chain).
   */
  resumeRotations(rotations: readonly { key: Uint8Array; op: RotateKeyOp }[]): void {
    const me = this.me
    if (!me) throw new Error('this replica has no author key')
    if (this.rotation) throw new RotationError('rotations were already applied')
    const latest = this.dag.latest[me.index]
    const next = BigInt((latest?.seq ?? 0) + 1)
    let prev: RotateKeyOp | undefined
    let inForce: RotateKeyOp | undefined
    for (const { key, op } of rotations) {
      if (op.fromSeq > next)
        throw new RotationError(
          `a stored rotation starts at block ${op.fromSeq}, above the next block ${next}`,
        )
      if (!this.dag.keys.valid(me.index, op))
        throw new RotationError('not signed by this participant’s wallet')
      if (addressFromPrivateKey(key) !== toHex(op.newKey))
        throw new RotationError('a stored key is not the rotated key')
      if (prev && (op.fromSeq < prev.fromSeq || op.fromVersion < prev.fromVersion))
        throw new RotationError('stored rotations out of order')
      if (latest && op.fromSeq <= BigInt(latest.seq)) inForce = op
      prev = op
    }
    const carried = latest ? rotationOf(latest.block) : undefined
    if (latest && (carried === 'misplaced' || !sameRotation(carried, inForce)))
      throw new RotationError(`the stored rotations do not match own block ${latest.seq}`)
    for (const { key, op } of rotations) {
      this.oldKeys.push({ key: me.sessionKey, untilVersion: op.fromVersion })
      me.sessionKey = key
      this.rotation = op
    }
    this.myKey = undefined
  }

  /** Whether this author rotated and no block of its own carries the newest rotation yet. */
  rotationPending(): boolean {
    if (!this.me || !this.rotation) return false
    return (this.dag.latest[this.me.index]?.seq ?? 0) < this.rotation.fromSeq
  }

  /** The key epochs this replica knows for `participant` (the configured key first). */
  keyEpochs(participant: number): readonly KeyEpoch[] {
    return this.dag.keys.epochs[participant] ?? []
  }

  /** Ops in the open batch (applied, not yet in a block). */
  batchedOps(): readonly Op[] {
    return this.batch?.ops ?? []
  }

  get pendingOps(): number {
    return this.batch?.ops.length ?? 0
  }

  /**
   * Whether this author has a reason to make a block: its own ops, or ops of participants without equivocation
   * evidence, in blocks not signed by a replaced key, not yet committed (an equivocator's unreferenced forks would otherwise keep rounds going forever).
   */
  wantsToPropose(): boolean {
    if ((this.batch?.ops.length ?? 0) > 0 || this.toSign.length > 0) return true
    // a rotation nobody has seen yet: peers treat the replaced key's blocks as revoked only once a block carries it
    if (this.rotationPending()) return true
    // someone is a round ahead without a quorum there yet (it proposed while ops were pending here): fill that
    // round, or it could never propose again — its next round needs q blocks of this one. Only up to the highest
    // round: once it has a quorum nobody needs to follow, so catching up never starts a new round by itself.
    const own = this.me ? this.dag.latest[this.me.index] : undefined
    const top = this.dag.maxRound
    if (this.me && top > (own?.round ?? 0) && this.dag.quorumRound < top) return true
    if (this.uncommittedWithOps === 0) return false
    if (this.dag.equivocators.size === 0 && !this.dag.keys.rotated) return true
    // an equivocator's forks and blocks signed by a replaced key may never be cited: they give no reason
    for (let i = this.finalCount; i < this.order.length; i++) {
      const x = this.order[i]!
      if (hasWork(x) && !this.dag.equivocators.has(x.author) && !this.dag.isRevoked(x)) return true
    }
    return false
  }

  /**
   * The round this author may propose in now, if any: one above the highest round holding q distinct authors,
   * above its own last round, and — for up to leaderWaitMs after that quorum formed — only once that round's
   * leader block is here (a leader that arrives late would otherwise be skipped).
   */
  proposalRound(now: number): number | undefined {
    const me = this.me
    if (!me) return undefined
    const qr = this.dag.quorumRound
    const own = this.dag.latest[me.index]
    if (own && own.round > qr) return undefined
    if (qr >= 1) {
      const leader = leaderOf(qr, this.n)
      if (leader !== me.index && this.dag.slot(leader, qr).length === 0) {
        const since = this.leaderWaitSince.get(qr)
        if (since === undefined) {
          this.leaderWaitSince.clear()
          this.leaderWaitSince.set(qr, now)
          if (this.leaderWaitMs > 0) return undefined
        } else if (now - since < this.leaderWaitMs) return undefined
      }
    }
    return qr + 1
  }

  /**
   * Seals the open batch (possibly empty) into this author's block of the next round when the round is open and
   * there is a reason to propose. Returns the wire bytes (the caller persists them before broadcasting).
   */
  tick(now: number): Uint8Array | undefined {
    this.now = now
    if (!this.me || !this.wantsToPropose()) return undefined
    const round = this.proposalRound(now)
    if (round === undefined) return undefined
    return this.sealAt(round, now)
  }

  /** Seals now if a round is open (e.g. before closing); undefined otherwise. */
  seal(): Uint8Array | undefined {
    return this.tick(this.now)
  }

  private sealAt(round: number, now: number): Uint8Array {
    const me = this.me!
    const own = this.dag.latest[me.index]
    const parents = this.dag.parentsFor(round, own).map((x) => x.id)
    this.attachSignature()
    const batchOps = this.batch?.ops ?? []
    const ops = this.rotation ? [...batchOps, this.rotation] : batchOps
    const { block, id, bytes } = createBlock({
      channelId: this.channel.channelId,
      author: fromHex(this.channel.config.participants[me.index]!.address, 20),
      seq: BigInt((own?.seq ?? 0) + 1),
      round: BigInt(round),
      time: BigInt(Math.max(0, Math.trunc(now))),
      prev: own ? own.id : ZERO32,
      parents,
      ops,
      sessionKey: me.sessionKey,
      domainSeparator: this.channel.domainSeparator,
    })
    const results = this.rotation
      ? [...(this.batch?.results ?? []), Reject.None]
      : (this.batch?.results ?? [])
    const timeRead = this.batch?.timeRead
    this.batch = undefined
    const hex = toHex(id)
    for (let i = this.trades.length - 1; i >= 0 && this.trades[i]!.block === ''; i--)
      this.trades[i]!.block = hex
    const node = makeNode(id, hex, block, bytes, me.index)
    this.myKey ??= addressFromPrivateKey(me.sessionKey)
    node.key = this.myKey
    node.results.set(results)
    const accepted: Node[] = []
    const r = this.dag.addOwn(node, accepted)
    if (r.status !== 'accepted') throw new Error(`own block refused: ${r.status}`)
    const equivocators = this.dag.equivocators.size
    // the batch was applied on top of everything: if the block sorts last, the state already holds it
    const sortsLast =
      this.order.length === 0 || compareInRound(this.order[this.order.length - 1]!, node, this.n) < 0
    if (
      sortsLast &&
      this.dirtyFrom === Number.POSITIVE_INFINITY &&
      accepted.length === 1 &&
      this.dag.learnedRotations.length === 0
    ) {
      if (hasWork(node)) this.uncommittedWithOps++
      this.checkCheckpointOps(node)
      if (timeRead !== undefined) this.timeRead.set(node, timeRead)
      this.order.push(node)
      this.applied = this.order.length
      this.commit()
      if (this.dirtyFrom !== Number.POSITIVE_INFINITY || this.due.length > 0) this.fold()
      else {
        this.pruneSnapshots()
        this.onUpdate?.()
      }
    } else this.afterAccept(accepted, equivocators)
    return bytes
  }

  // ─── queries ──────────────────────────────────────────────────────────────────────────────────────────────

  stateRoot(): Uint8Array {
    return stateRoot(this.state)
  }

  headIds(): Hex[] {
    return [...this.dag.heads].sort()
  }

  /** Participants with equivocation evidence, ascending. */
  equivocators(): number[] {
    return [...this.dag.equivocators].sort((a, b) => a - b)
  }

  /** Ids of the final prefix, in order. */
  finalIds(): Hex[] {
    return this.order.slice(0, this.finalCount).map((x) => x.hex)
  }

  /** Wire bytes of every accepted block not pruned, ancestors first: what a peer needs to catch up. */
  blocksInOrder(): Uint8Array[] {
    return [...this.dag.nodes.values()]
      .filter((n) => !n.pruned)
      .sort((a, b) => a.round - b.round || (a.hex < b.hex ? -1 : 1))
      .map((n) => {
        n.bytes ??= encodeBlock(n.block)
        return n.bytes
      })
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
}

/** Whether a block carries ops other than its key rotation: such blocks keep rounds going until final. */
function hasWork(node: Node): boolean {
  const ops = node.block.ops
  return ops.length > 1 || (ops.length === 1 && ops[0]!.tag !== OpTag.RotateKey)
}

function checkpointOf(op: CheckpointOp): Checkpoint {
  return {
    version: op.version,
    leader: op.leader,
    time: op.time,
    depositCount: op.depositCount,
    forcedCount: op.forcedCount,
    stateRoot: op.stateRoot,
    balancesRoot: op.balancesRoot,
  }
}
