import type { Hex } from './bytes.ts'
import type { ForcedQueueWatermark, ForcedRecordTime } from './censorship.ts'
import type { Channel } from './channel.ts'
import type { SignedCheckpoint } from './checkpoint.ts'
import type { CloseBook } from './closeBook.ts'
import type { Committer } from './committer.ts'
import type { Dag } from './dag.ts'
import { type Node, UNCOMMITTED } from './dagNode.ts'
import type { Equivocation } from './equivocation.ts'
import type { ExpiredBlock, ExpiredOwn } from './expiry.ts'
import type { KeyEpoch } from './keys.ts'
import type { CloseOp, Op, RotateKeyOp } from './ops.ts'
import type { Reject } from './reasons.ts'
import type { IngressReject, ReceiveResult } from './receiveResult.ts'
import { type Authoring, BatchFullError, InvalidOpError } from './replica/authoring.ts'
import type { CheckpointConflict, Checkpointer, Divergence } from './replica/checkpoints.ts'
import { signCloseOp } from './replica/closeOp.ts'
import type { Execution } from './replica/execution.ts'
import type { FinalOrder } from './replica/finalOrder.ts'
import type { Ingest } from './replica/ingest.ts'
import type { ReplicaOptions } from './replica/options.ts'
import { type OwnKeys, RotationError } from './replica/ownKeys.ts'
import type { Pruning } from './replica/pruning.ts'
import { wireBlocks } from './replica/wireBlocks.ts'
import { wireReplica } from './replica/wiring.ts'
import { stateRoot } from './roots.ts'
import type { PrunedBase } from './snapshot/base.ts'
import type { ChannelState } from './state.ts'

export type {
  CheckpointConflict,
  Divergence,
  Equivocation,
  IngressReject,
  Node,
  ReceiveResult,
  ReplicaOptions,
}
export { BatchFullError, InvalidOpError, RotationError, UNCOMMITTED }

/**
 * One participant's copy of a channel: the validated round-based block DAG (dag.ts), the Mysticeti-C commit
 * rule over it (committer.ts), the state folded from the final order plus the pending tail, checkpoints derived
 * from commits, and equivocation evidence.
 *
 * Order: committed blocks in commit order (final: this prefix only ever grows), then every other accepted block
 * by (round, leader first, author, id) — pending, applied optimistically. A block that lands at the end applies in
 * O(its ops); one that lands earlier in the pending tail rolls back to the nearest snapshot and replays the tail.
 * The final prefix is never replayed.
 *
 * This class wires the parts in replica/ (one concern each) and is the API callers use: ingest.ts (accepted
 * blocks → commit → fold), execution.ts (the order folded into state), finalOrder.ts (commits into the final
 * prefix, the final order's rules), checkpoints.ts (derivation, signing, tallies), authoring.ts (the local batch,
 * proposing, sealing), ownKeys.ts (the local author's key rotations), pruning.ts (prune, base, restore).
 */
export class Replica {
  readonly channel: Channel
  readonly n: number
  readonly q: number
  readonly dag: Dag
  readonly committer: Committer
  readonly execution: Execution
  readonly finalOrder: FinalOrder
  readonly checkpointer: Checkpointer
  readonly ownKeys: OwnKeys
  readonly authoring: Authoring
  readonly ingest: Ingest
  readonly pruning: Pruning
  private readonly expiredOwnLog: ExpiredOwn

  constructor(channel: Channel, options: ReplicaOptions = {}) {
    this.channel = channel
    this.n = channel.config.participants.length
    this.q = channel.config.threshold
    const parts = wireReplica(channel, options)
    this.dag = parts.dag
    this.committer = parts.committer
    this.execution = parts.execution
    this.checkpointer = parts.checkpointer
    this.finalOrder = parts.finalOrder
    this.expiredOwnLog = parts.expiredOwn
    this.ownKeys = parts.ownKeys
    this.authoring = parts.authoring
    this.ingest = parts.ingest
    this.pruning = parts.pruning
  }

  /** final blocks (commit order) followed by pending blocks */
  get order(): Node[] {
    return this.execution.order
  }
  /** count of blocks at the front of the order that are final (committed) */
  get finalCount(): number {
    return this.execution.finalCount
  }
  get state(): ChannelState {
    return this.execution.state
  }
  /** channel clock at the last committed leader (ms) */
  get clock(): bigint {
    return this.execution.clock
  }
  /** committed leaders, in commit order */
  get leaders(): Node[] {
    return this.finalOrder.leaders
  }
  /**
   * The checkpoint computed at `version` with the valid signatures gathered for it, while this replica holds it:
   * every version up to latestCheckpointVersion was computed, but pruning forgets the records nothing needs any
   * more (CONTEXT.md "Which checkpoint records a pruned replica keeps").
   */
  checkpoint(version: bigint): SignedCheckpoint | undefined {
    return this.checkpointer.checkpoints.get(version)
  }
  /** the highest checkpoint version computed from commits (0: none yet) */
  get latestCheckpointVersion(): bigint {
    return this.checkpointer.checkpoints.latestVersion
  }
  /** the checkpoint records this replica holds, oldest first (a copy; after pruning, not every version) */
  heldCheckpoints(): SignedCheckpoint[] {
    return this.checkpointer.checkpoints.list()
  }
  /** signatures over checkpoints that differ from the computed one, or two digests by one key at one version */
  get checkpointConflicts(): CheckpointConflict[] {
    return this.checkpointer.checkpointConflicts
  }
  /**
   * The lowest version at which q participants signed a checkpoint digest other than this replica's: its state left
   * the channel's (a Byzantine peer's base can do that to a joiner; store/rejoin.ts restores from another).
   */
  divergence(): Divergence | undefined {
    return this.checkpointer.divergence()
  }
  /**
   * Checkpoints this replica refused to sign because they leave out forced record `index`, due at their channel time
   * (censorship.ts: the contract would slash the signature).
   */
  get censorshipRefusals(): { version: bigint; index: bigint }[] {
    return this.checkpointer.censorshipRefusals
  }
  /** final blocks pruned so far: order[0] is the block at this position of the whole final order */
  get prunedCount(): number {
    return this.pruning.prunedCount
  }
  /** the certified checkpoint this replica last pruned at (0: never) */
  get prunedVersion(): bigint {
    return this.pruning.prunedVersion
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
  /** This author's blocks that expired (never final, ops dropped: CONTEXT.md, "Chain restart"), oldest first. */
  expiredOwn(): readonly ExpiredBlock[] {
    return this.expiredOwnLog.blocks
  }
  get ingress() {
    return this.dag.ingress
  }
  get bufferedCount(): number {
    return this.dag.bufferedCount
  }

  // ─── ingress ──────────────────────────────────────────────────────────────────────────────────

  /** Validates wire bytes and adds the block (and any blocks it unblocks); commits and folds the result. */
  receive(bytes: Uint8Array): ReceiveResult {
    return this.receiveMany([bytes])[0]!
  }

  /** Like receive() for many blocks, committing and folding once at the end: the way to apply a burst. */
  receiveMany(list: readonly Uint8Array[]): ReceiveResult[] {
    const accepted: Node[] = []
    const equivocators = this.dag.equivocators.size
    const out = list.map((b) => this.dag.ingest(b, accepted))
    this.ingest.afterAccept(accepted, equivocators)
    return out
  }

  // ─── execution ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Whether a block's ops are void: committed ones by the final order's rules, pending ones if its author forked or
   * the block is known to be signed by a replaced key.
   */
  isVoid(node: Node): boolean {
    return this.execution.isVoid(node)
  }

  /**
   * The channel clock at a block's position: a final block has the time of the leader that committed it, a
   * pending one the time of the last committed leader. A function of the final order only.
   */
  timeOf(node: Node): bigint {
    return this.execution.timeOf(node)
  }

  /**
   * The state after the final prefix of the order: what no later block can change. Balances shown as "final"
   * come from here; the live `state` adds everything pending.
   */
  finalState(): ChannelState {
    return this.execution.finalState()
  }

  isFinal(node: Node): boolean {
    return node.commitIndex !== UNCOMMITTED
  }

  // ─── checkpoints ──────────────────────────────────────────────────────────────────────────────────────────

  /** The newest checkpoint with signatures by at least q participants: what can be proposed on chain. */
  latestCertified(): SignedCheckpoint | undefined {
    return this.checkpointer.latestCertified()
  }

  /** The newest checkpoint signed by every participant (what an emergency exit needs). */
  latestFullySigned(): SignedCheckpoint | undefined {
    return this.checkpointer.latestFullySigned()
  }

  /**
   * Tells the replica when the contract recorded forced records (chain block time, seconds), so that it never signs
   * a checkpoint leaving out one already due at the checkpoint's time (censorship.ts). The store calls it with every
   * record not yet included each time it polls them; records already known keep their first time.
   */
  noteForcedTimes(records: Iterable<ForcedRecordTime>): void {
    this.checkpointer.noteForcedTimes(records)
  }

  /**
   * One read of the chain's forced queue (censorship.ts `ForcedQueueWatermark`): the contract's record count at a
   * block of timestamp `asOfChainTime` (s) and the times of the records from `forcedReadFrom()` on. The replica signs
   * a checkpoint of channel time T only once a read with `1000 × (asOfChainTime + delay) > T` arrived and the
   * checkpoint leaves out none of those records that is due at T; until then it defers (signs at the next block after
   * such a read). Reads may arrive in any order; the newest chain time counts.
   */
  noteForcedQueue(watermark: ForcedQueueWatermark): void {
    this.checkpointer.noteForcedQueue(watermark)
  }

  /** The first forced index whose chain time a read of the forced queue should report (noteForcedQueue). */
  forcedReadFrom(): bigint {
    return this.checkpointer.forcedReadFrom(this.state.forcedCount)
  }

  /**
   * The newest checkpoint waiting for a fresh enough read of the forced queue (`no-read`: none since start, `stale`:
   * the newest is more than the force-inclusion delay older than the checkpoint, `unknown-record`: a record left out
   * whose time the read did not report), or undefined.
   */
  get forcedDeferral(): { version: bigint; reason: 'no-read' | 'stale' | 'unknown-record' } | undefined {
    return this.checkpointer.deferred
  }

  /** The state a computed checkpoint commits to (for exit proofs). */
  stateOfCheckpoint(version: bigint): ChannelState {
    return this.pruning.stateOfCheckpoint(version)
  }

  // ─── pruning and reload (snapshot/) ───────────────────────────────────────────────────────────────────────

  /**
   * Drops every final block up to the newest certified checkpoint's leader (if it is newer than the last pruning
   * point and at least `minBlocks` blocks would go): the state there becomes the fold's base, the blocks become
   * stubs (frontier.ts) so tail blocks referencing them still validate. Returns the base to persist, or undefined
   * when nothing was pruned. Evidence, checkpoints and their signatures, and the states exits need stay.
   */
  prune(minBlocks = 1): PrunedBase | undefined {
    return this.pruning.prune(minBlocks)
  }

  /**
   * Whether a block is final at or below the newest certified checkpoint's leader: what prune() would drop now
   * (peers prune at their own pace; a deletion of such a block from the shared doc needs no repair).
   */
  isPrunable(node: Node): boolean {
    return this.pruning.isPrunable(node)
  }

  /**
   * Whether a block that was never final is needed by nobody any more (an expired block: CONTEXT.md, "Chain
   * restart"): more than D rounds below the expiry horizon of the newest certified checkpoint's leader, so neither
   * it nor any block citing it can become final, and its author's chain went on from it to a block final at or below
   * that leader, so no block to come has it as prev. Every replica that holds the checkpoint decides the same; a
   * deletion of such a block from the shared doc needs no repair.
   */
  isSpent(node: Node): boolean {
    return this.pruning.isSpent(node)
  }

  /** What a reload starts from (see PrunedBase); undefined before the first pruning. */
  base(): PrunedBase | undefined {
    return this.pruning.base()
  }

  /**
   * Starts a fresh replica (nothing received yet) from a pruned base instead of the blocks below it. Refuses
   * (SnapshotMismatchError) a base whose checkpoint is not certified by q valid signatures or whose state is not the
   * one the checkpoint signs; the tail blocks are fed afterwards as usual (receiveMany, ChannelDoc.ingestDurable).
   */
  restore(base: PrunedBase): void {
    this.pruning.restore(base)
  }

  // ─── local authoring ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * Applies a local op at once (pending) and queues it for this author's next block. Returns the (seq, index)
   * naming what the op creates and its result at its current position. Throws BatchFullError when the batch is
   * full and the next round is not open yet. `now` is the caller's clock (ms).
   */
  submit(
    op: Op,
    now?: number,
  ): { seq: bigint; index: number; result: Reject; sealed: Uint8Array | undefined } {
    return this.authoring.submit(op, now)
  }

  /**
   * Where a key rotation signed now would start: this author's next block, and the version after every checkpoint
   * this replica computed (so every version it may already have signed stays with the old key).
   */
  rotationPoint(): { fromSeq: bigint; fromVersion: bigint } {
    return this.ownKeys.rotationPoint()
  }

  /**
   * Replaces this author's session key (issue #12): `op` is the wallet-signed rotation (keys.ts signRotation /
   * rotationOp) to the key `newKey` (private). From the next block on, blocks are signed by the new key and carry
   * `op`; checkpoint versions from op.fromVersion on are signed by it, older ones by the key they belong to.
   * Throws RotationError when op.fromSeq is not the next block's seq, the wallet did not sign it, or `newKey` is
   * not the key it names.
   */
  rotateKey(newKey: Uint8Array, op: RotateKeyOp): void {
    this.ownKeys.rotateKey(newKey, op)
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
    this.ownKeys.resumeRotations(rotations)
  }

  /** Whether this author rotated and no block of its own carries the newest rotation yet. */
  rotationPending(): boolean {
    return this.ownKeys.rotationPending()
  }

  /**
   * Ops final since the newest checkpoint that count toward the next one (not checkpoint signatures or requests,
   * closes or key rotations): a close at the newest checkpoint is current only while this is 0 (closeIsCurrent).
   */
  get finalOpsSinceCheckpoint(): number {
    return this.checkpointer.opsSinceCheckpoint
  }

  /** cooperative close (issue #12): the Close signatures seen in accepted blocks, by checkpoint */
  get closes(): CloseBook {
    return this.checkpointer.closes
  }

  /**
   * This participant's Close op for the checkpoint it computed at `version` (cooperative close, issue #12), signed by
   * the key in force for that version; submit it to send it through the channel. Throws with the core's refusal
   * (closeRefusal) when it has not computed that checkpoint or already signed another close at that version, and
   * when the close is superseded: a newer checkpoint or newer final trading ops (closeIsCurrent).
   */
  closeOp(version: bigint): CloseOp {
    return signCloseOp(this.channel, this.checkpointer, this.ownKeys, version)
  }

  /** The key epochs this replica knows for `participant` (the configured key first). */
  keyEpochs(participant: number): readonly KeyEpoch[] {
    return this.dag.keys.epochs[participant] ?? []
  }

  /** Ops in the open batch (applied, not yet in a block). */
  batchedOps(): readonly Op[] {
    return this.authoring.ops
  }

  get pendingOps(): number {
    return this.authoring.ops.length
  }

  /**
   * Whether this author has a reason to make a block: its own ops, or ops of participants without equivocation
   * evidence, in blocks not signed by a replaced key, not yet committed (an equivocator's unreferenced forks would otherwise keep rounds going forever).
   */
  wantsToPropose(): boolean {
    return this.authoring.wantsToPropose()
  }

  /**
   * The round this author may propose in now, if any: one above the highest round holding q distinct authors,
   * above its own last round, and — for up to leaderWaitMs after that quorum formed — only once that round's
   * leader block is here (a leader that arrives late would otherwise be skipped).
   */
  proposalRound(now: number): number | undefined {
    return this.authoring.proposalRound(now)
  }

  /**
   * While this author would propose but waits only for the round's leader block: the ms left of that wait (when
   * a tick can seal without anything arriving). Undefined otherwise: then only an arrival, a submit or a
   * signature to attach can open a proposal, and the caller ticks on those events.
   */
  leaderWaitLeft(now: number): number | undefined {
    return this.authoring.leaderWaitLeft(now)
  }

  /**
   * Seals the open batch (possibly empty) into this author's block of the next round when the round is open and
   * there is a reason to propose. Returns the wire bytes (the caller persists them before broadcasting).
   */
  tick(now: number): Uint8Array | undefined {
    return this.authoring.tick(now)
  }

  /** Seals now if a round is open (e.g. before closing); undefined otherwise. */
  seal(): Uint8Array | undefined {
    return this.authoring.tick(this.authoring.now)
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
    return wireBlocks(this.dag.nodes.values())
  }

  /** Ops applied and ops skipped (with a reason) over the whole order, final and pending. */
  opCounts(): { applied: number; skipped: number } {
    return this.execution.opCounts()
  }
}
