import type { Channel } from '../channel.ts'
import type { Dag } from '../dag.ts'
import { type Node, UNCOMMITTED } from '../dagNode.ts'
import { compareInRound } from '../linearizer.ts'
import { Reject } from '../reasons.ts'
import { ChannelState, type DepositRecord } from '../state.ts'

type Snapshot = { index: number; state: ChannelState; trades: number }
/** the execution log (display only) keeps at most this many trades once the replica prunes */
const TRADES_KEPT = 10_000

/**
 * Execution of the order into state: final blocks (commit order) followed by pending blocks, folded incrementally
 * with rollback snapshots. A block that lands at the end applies in O(its ops); one that lands earlier in the
 * pending tail rolls back to the nearest snapshot and replays the tail. The final prefix is never replayed.
 */
export class Execution {
  /** final blocks (commit order) followed by pending blocks */
  readonly order: Node[] = []
  /** count of blocks at the front of the order that are final (committed) */
  finalCount = 0
  state: ChannelState
  /** channel clock at the last committed leader (ms) */
  clock = 0n
  /** the channel clock of each final block (by commitIndex): the time of the leader that committed it */
  readonly commitTimes: bigint[] = []
  /** per applied block that read the clock: the clock epoch (ChannelState.timeKey) it was applied with */
  readonly timeRead = new WeakMap<Node, bigint>()
  /** blocks of the order applied to `state` */
  applied = 0
  /** the first position to replay (infinity: none) */
  dirtyFrom = Number.POSITIVE_INFINITY
  /**
   * `state` holds ops beyond the `applied` blocks: the open batch's (authoring.ts), or a sealed own block's that is
   * not in `applied` yet. The next replay starts from a snapshot at or before `applied`, never on top of them.
   */
  batchOnTop = false
  /** the execution log shared by every state this replica folds (display only) */
  readonly trades: ChannelState['trades'] = []
  snapshots: Snapshot[] = []
  private finalCache: { count: number; state: ChannelState } | undefined

  constructor(
    readonly channel: Channel,
    private readonly dag: Dag,
    private readonly snapshotInterval: number,
    deposits: readonly DepositRecord[] | undefined,
  ) {
    this.state = new ChannelState(channel, this.trades)
    if (deposits) this.state.creditGenesis(deposits)
    this.snapshots.push({ index: 0, state: this.state.clone(), trades: 0 })
  }

  get dirty(): boolean {
    return this.dirtyFrom !== Number.POSITIVE_INFINITY
  }

  /** Places an accepted block in the pending tail. */
  insertPending(node: Node): void {
    const n = this.channel.config.participants.length
    let lo = this.finalCount
    let hi = this.order.length
    if (hi > lo && compareInRound(this.order[hi - 1]!, node, n) > 0) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (compareInRound(this.order[mid]!, node, n) < 0) lo = mid + 1
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

  markDirty(pos: number): void {
    if (pos < this.dirtyFrom) this.dirtyFrom = pos
    this.snapshots = this.snapshots.filter((s) => s.index <= pos)
  }

  /** Replays the pending tail from the first pending block of `author`, if it has one. */
  markAuthorDirty(author: number): void {
    for (let i = this.finalCount; i < this.order.length; i++)
      if (this.order[i]!.author === author) {
        this.markDirty(i)
        break
      }
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

  private applyNode(state: ChannelState, node: Node): void {
    const ops = node.block.ops
    if (this.isVoid(node)) {
      // a final block void by the equivocation rule: its author is proven to fork (the first one is the proof)
      if (node.commitIndex !== UNCOMMITTED && !node.revoked) state.proven |= 1n << BigInt(node.author)
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

  /**
   * Brings `state` up to date with the order: rolls back and replays when something landed before `applied`, or
   * when `hadBatch` (the local batch applied on top must be undone first).
   */
  replay(): void {
    let from = Math.min(this.dirtyFrom, this.applied)
    if (this.batchOnTop || from < this.applied) {
      let s = this.snapshots[0]!
      for (const x of this.snapshots) if (x.index <= from && x.index >= s.index) s = x
      this.snapshots = this.snapshots.filter((x) => x.index <= s.index)
      this.state = s.state.clone()
      this.trades.length = s.trades
      from = s.index
      this.batchOnTop = false
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
  }

  takeSnapshot(index: number): void {
    const last = this.snapshots[this.snapshots.length - 1]
    if (last && last.index >= index) return
    this.snapshots.push({ index, state: this.state.clone(), trades: this.trades.length })
  }

  /** Snapshots inside the final prefix are no longer needed, except genesis and the last one. */
  pruneSnapshots(): void {
    const f = this.finalCount
    let keep = 0
    for (let i = 0; i < this.snapshots.length; i++) if (this.snapshots[i]!.index <= f) keep = i
    if (keep > 1) this.snapshots = [this.snapshots[0]!, ...this.snapshots.slice(keep)]
  }

  /** The state after order[0 … position) and the length the execution log had there. */
  stateAndTradesAt(position: number): { state: ChannelState; trades: number } {
    let s = this.snapshots[0]!
    for (const x of this.snapshots) if (x.index <= position && x.index >= s.index) s = x
    const state = this.stateAt(position)
    return { state, trades: s.trades + state.trades.length }
  }

  /** The state after order[0 … position), for a position inside the applied prefix. */
  stateAt(position: number): ChannelState {
    let s = this.snapshots[0]!
    for (const x of this.snapshots) if (x.index <= position && x.index >= s.index) s = x
    const state = s.state.clone()
    state.trades = []
    for (let i = s.index; i < position; i++) this.applyDetached(state, this.order[i]!)
    return state
  }

  /**
   * The state after the final prefix of the order: what no later block can change. Kept incrementally: the final
   * prefix only grows (a committed prefix never changes, nor a final block's clock or voidness), so the cached
   * state advances in place by the blocks that became final since — O(new final ops), not a clone of the whole
   * state per call. The returned state is the cache itself: read it, do not keep it across changes.
   */
  finalState(): ChannelState {
    const f = this.finalCount
    const cache = this.finalCache
    if (cache && cache.count <= f) {
      for (let i = cache.count; i < f; i++) this.applyDetached(cache.state, this.order[i]!)
      cache.count = f
      // the execution log of the final state is not read; keep it from growing
      cache.state.trades.length = 0
      return cache.state
    }
    const state = this.stateAt(f)
    state.trades.length = 0
    this.finalCache = { count: f, state }
    return state
  }

  /** Ops applied and ops skipped (with a reason) over the whole order, final and pending. */
  opCounts(): { applied: number; skipped: number } {
    let applied = 0
    let skipped = 0
    for (const n of this.order)
      for (const r of n.results)
        if (r === Reject.None) applied++
        else skipped++
    return { applied, skipped }
  }

  /** Applies a node to a state other than the live one, leaving the node's recorded results as they were. */
  private applyDetached(state: ChannelState, node: Node): void {
    const saved = node.results.slice()
    this.applyNode(state, node)
    node.results.set(saved)
  }

  /**
   * Drops the first `pos` final blocks (pruning): `state` (with the execution log's length `trades` there) becomes
   * the base every later position is folded from; the execution log is bounded from now on.
   */
  dropFinalPrefix(pos: number, state: ChannelState, trades: number): void {
    this.order.splice(0, pos)
    for (let i = 0; i < this.finalCount - pos; i++) this.order[i]!.commitIndex -= pos
    this.finalCount -= pos
    this.applied -= pos
    this.commitTimes.splice(0, pos)
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
  }

  /** Starts from a restored base state (a fresh replica, nothing in the order). */
  restore(state: ChannelState, clock: bigint): void {
    state.trades = this.trades
    this.state = state
    this.snapshots = [{ index: 0, state: state.clone(), trades: 0 }]
    this.clock = clock
  }
}
