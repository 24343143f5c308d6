import { blockHeader } from '../block.ts'
import { fromHex, type Hex, toHex } from '../bytes.ts'
import type { Channel } from '../channel.ts'
import { checkpointDigest, type SignedCheckpoint } from '../checkpoint.ts'
import type { Dag } from '../dag.ts'
import { type Node, UNCOMMITTED } from '../dagNode.ts'
import { expiryHorizon } from '../expiry.ts'
import { betterTip, finalWindowRoot, finalWindowRounds } from '../finalWindow.ts'
import { recoverAddress } from '../signature.ts'
import { type PrunedBase, toRanges } from '../snapshot/base.ts'
import { derivedTips, finalChainProblem } from '../snapshot/finalChains.ts'
import { finalEntries, forgetDecidedRounds, frontierOf, stubNodes, stubOf } from '../snapshot/frontier.ts'
import { encodeState, restoreAtCheckpoint, SnapshotMismatchError } from '../snapshot/stateCodec.ts'
import type { ChannelState } from '../state.ts'
import type { Checkpointer } from './checkpoints.ts'
import type { Execution } from './execution.ts'
import { type FinalEpoch, type FinalOrder, noteFinalRotation } from './finalOrder.ts'

/** states of this many checkpoints before the pruning one stay available in memory (stateOfCheckpoint) */
const RETAINED_BEFORE = 2n

/** What pruning needs from the replica around it. */
export type PruningParts = {
  channel: Channel
  dag: Dag
  execution: Execution
  finalOrder: FinalOrder
  checkpointer: Checkpointer
  /** brings the state up to date with the order, and computes due checkpoints */
  fold: () => void
  onUpdate: (() => void) | undefined
}

/**
 * Pruning and reload (snapshot/; issue #8): dropping the final blocks up to the newest certified checkpoint's leader
 * (its state becomes the fold's base, the blocks stubs), the base a reload starts from, and restoring from one.
 */
export class Pruning {
  /** final blocks pruned so far: order[0] is the block at this position of the whole final order */
  prunedCount = 0
  /** the certified checkpoint this replica last pruned at (0: never) */
  prunedVersion = 0n
  /** states of checkpoints whose blocks are pruned: the pruning one and an older fully signed one (exits) */
  private retained = new Map<bigint, ChannelState>()
  /**
   * The final order's bookkeeping as of the pruning checkpoint's leader (not as of now: a reload re-commits the
   * tail), carried from one pruning to the next: committed seqs and rounds, who was proven to fork, key epochs.
   */
  private mark:
    | {
        seqs: Set<number>[]
        rounds: Set<number>[]
        proven: boolean[]
        finalEpochs: FinalEpoch[][]
        nextRound: number
        /** per author: its final tip as of the pruning leader (finalWindow.ts), kept from forgetting */
        tips: (Node | undefined)[]
      }
    | undefined
  /** the pruning leader's header fields its stub lacks (PrunedBase.leaderHeader) */
  private leaderHeader: PrunedBase['leaderHeader']
  private readonly n: number

  constructor(private readonly parts: PruningParts) {
    this.n = parts.channel.config.participants.length
  }

  /** See Replica.prune. */
  prune(minBlocks: number): PrunedBase | undefined {
    const { dag, execution, finalOrder, checkpointer } = this.parts
    if (execution.dirty || checkpointer.due.length > 0) this.parts.fold()
    const cp = checkpointer.latestCertified()
    if (!cp || cp.version <= this.prunedVersion) return undefined
    const leader = dag.nodes.get(toHex(cp.leader))
    if (!leader || leader.pruned || leader.commitIndex === UNCOMMITTED) return undefined
    const pos = leader.commitIndex + 1
    if (pos < minBlocks) return undefined
    const { state, trades } = execution.stateAndTradesAt(pos)
    this.markPruned(pos, leader.round + 1)
    const full = checkpointer.latestFullySigned()
    const keep = new Map<bigint, ChannelState>([[cp.version, state.clone()]])
    if (full && full.version < cp.version) keep.set(full.version, this.stateOfCheckpoint(full.version))
    // the checkpoints just before it too: one may have been proposed on chain before the pruner saw the dispute
    for (let v = cp.version - 1n; v >= 1n && v >= cp.version - RETAINED_BEFORE; v--) {
      const held = checkpointer.checkpoints.get(v)
      const at = held && dag.nodes.get(toHex(held.leader))
      if (held && !keep.has(v) && (this.retained.has(v) || (at && !at.pruned)))
        keep.set(v, this.stateOfCheckpoint(v))
    }
    const header = blockHeader(leader.block)
    this.leaderHeader = { prev: header.prev, parentsHash: header.parentsHash, opsHash: header.opsHash }
    stubNodes(execution.order.slice(0, pos))
    forgetDecidedRounds(dag, leader.round)
    this.raiseFloor(floorFor(dag, leader.round))
    execution.dropFinalPrefix(pos, state, trades)
    finalOrder.dropFinalPrefix(pos)
    this.retained = keep
    this.prunedCount += pos
    this.prunedVersion = cp.version
    checkpointer.forgetBelow(cp.version, keep.keys())
    return this.base()
  }

  /**
   * The bounded frontier (CONTEXT.md): blocks below `floor` are refused from now on, and the stubs more than D
   * rounds below it are forgotten — every block this replica can still accept cites parents of round ≥ floor − D
   * (its prev excepted: each author's latest stub stays). Their seqs and rounds leave the committed bookkeeping:
   * a block that could collide with them needs a forgotten prev or a round below the floor, so it never joins.
   */
  private raiseFloor(floor: number): void {
    const { dag, finalOrder } = this.parts
    if (floor <= dag.floor) return
    dag.floor = floor
    const tips = new Set(this.mark?.tips.filter((t) => t !== undefined))
    for (const x of dag.forgetBelow(floor - dag.refDepth, tips)) {
      for (const seqs of [finalOrder.committedSeqs, this.mark?.seqs]) seqs?.[x.author]?.delete(x.seq)
      for (const rounds of [finalOrder.committedRounds, this.mark?.rounds])
        rounds?.[x.author]?.delete(x.round)
    }
  }

  private markPruned(pos: number, nextRound: number): void {
    const prev = this.mark
    const seqs = prev ? prev.seqs : Array.from({ length: this.n }, () => new Set<number>())
    const rounds = prev ? prev.rounds : Array.from({ length: this.n }, () => new Set<number>())
    const finalEpochs = prev
      ? prev.finalEpochs
      : this.parts.channel.sessionKeys.map((key) => [{ key, fromSeq: 0n }])
    const tips = prev ? prev.tips : new Array<Node | undefined>(this.n).fill(undefined)
    const order = this.parts.execution.order
    for (let i = 0; i < pos; i++) {
      const x = order[i]!
      noteFinalRotation(finalEpochs, x)
      if (x.revoked) continue
      seqs[x.author]!.add(x.seq)
      rounds[x.author]!.add(x.round)
      if (betterTip(x.seq, x.hex, tips[x.author])) tips[x.author] = x
    }
    const proven = this.parts.finalOrder.provenAt.map((p, a) => (prev?.proven[a] ?? false) || p < pos)
    this.mark = { seqs, rounds, proven, finalEpochs, nextRound, tips }
  }

  /** See Replica.isPrunable. */
  isPrunable(node: Node): boolean {
    if (node.pruned) return true
    if (node.commitIndex === UNCOMMITTED) return false
    const leader = this.certifiedLeader()
    if (!leader) return false
    return leader.pruned || node.commitIndex <= leader.commitIndex
  }

  /** See Replica.isSpent. */
  isSpent(node: Node): boolean {
    if (node.pruned || node.commitIndex !== UNCOMMITTED) return false
    const leader = this.certifiedLeader()
    if (!leader || (!leader.pruned && leader.commitIndex === UNCOMMITTED)) return false
    const dag = this.parts.dag
    // below the leader's horizon it is never final, and so is every block citing it (parents are ≤ D rounds below)
    if (node.round + dag.refDepth >= expiryHorizon(leader.round, dag.refDepth, dag.lateSlack)) return false
    // its author's chain went on from it to a block final at or below the leader: nothing to come has it as prev
    const finalByLeader = (x: Node) =>
      x.pruned || (!leader.pruned && x.commitIndex !== UNCOMMITTED && x.commitIndex <= leader.commitIndex)
    for (let x = dag.latest[node.author]; x && x.seq > node.seq; x = x.seq > 1 ? x.refs[0] : undefined)
      if (finalByLeader(x)) return true
    return false
  }

  /** The newest certified checkpoint's leader, if this replica holds it. */
  private certifiedLeader(): Node | undefined {
    const cp = this.parts.checkpointer.latestCertified()
    return cp && this.parts.dag.nodes.get(toHex(cp.leader))
  }

  /** The state a computed checkpoint commits to (for exit proofs). */
  stateOfCheckpoint(version: bigint): ChannelState {
    const cp = this.parts.checkpointer.checkpoints.get(version)
    if (!cp) {
      if (version >= 1n && version <= this.parts.checkpointer.checkpoints.latestVersion)
        throw new Error(
          `checkpoint ${version} lies below the pruning point (checkpoint ${this.prunedVersion})`,
        )
      throw new Error(`no checkpoint at version ${version}`)
    }
    const kept = this.retained.get(version)
    if (kept) return kept.clone()
    const leader = this.parts.dag.nodes.get(toHex(cp.leader))
    if (!leader || leader.pruned)
      throw new Error(`checkpoint ${version} lies below the pruning point (checkpoint ${this.prunedVersion})`)
    return this.parts.execution.stateAt(leader.commitIndex + 1)
  }

  /** What a reload starts from (see PrunedBase); undefined before the first pruning. */
  base(): PrunedBase | undefined {
    const mark = this.mark
    if (this.prunedVersion === 0n || !mark) return undefined
    const { dag, checkpointer } = this.parts
    // the exit state: the newest retained state below the pruning one whose checkpoint every participant signed, when
    // the pruning one is not (the others retained serve on-chain disputes here and may be signed by nobody yet: an
    // honest replica signs only the newest of several due versions, and a restore refuses a record without q)
    const signedByAll = (v: bigint) => checkpointer.checkpoints.get(v)?.signatures.size === this.n
    const full = signedByAll(this.prunedVersion)
      ? undefined
      : [...this.retained.keys()]
          .filter((v) => v < this.prunedVersion && signedByAll(v))
          .sort((a, b) => (a < b ? 1 : -1))[0]
    return {
      version: this.prunedVersion,
      state: encodeState(this.retained.get(this.prunedVersion)!),
      position: this.prunedCount,
      exitState:
        full === undefined ? undefined : { version: full, state: encodeState(this.retained.get(full)!) },
      // the records held up to the pruning one; the tail re-computes later checkpoints (their signatures are in tail blocks)
      checkpoints: checkpointer.checkpoints
        .list()
        .filter((c) => c.version <= this.prunedVersion)
        .map((c) => ({ ...c, signatures: new Map(c.signatures) })),
      frontier: frontierOf(dag),
      floor: dag.floor,
      heads: [...dag.heads].filter((h) => dag.nodes.get(h)?.pruned),
      ...(this.leaderHeader ? { leaderHeader: { ...this.leaderHeader } } : {}),
      nextRound: mark.nextRound,
      clock: this.prunedClock(),
      committedSeqs: mark.seqs.map((x) => toRanges(x)),
      committedRounds: mark.rounds.map((x) => toRanges(x)),
      proven: mark.proven.slice(),
      finalEpochs: mark.finalEpochs.map((l) => l.map((e) => ({ ...e }))),
      epochs: dag.keys.epochs.map((l) => l.map((e) => ({ ...e }))),
      equivocators: [...dag.equivocators].sort((a, b) => a - b),
      equivocations: [...dag.equivocations],
      checkpointConflicts: checkpointer.checkpointConflicts.filter((c) => c.version <= this.prunedVersion),
      // right after a checkpoint's leader the schedule restarts (FinalOrder.commit)
      opsSinceCheckpoint: 0,
      lastCheckpointTime: this.prunedClock(),
      checkpointRequested: false,
      signedVersion: checkpointer.signedThrough,
    }
  }

  /** The channel clock at the pruning checkpoint (its time), what the tail's first commit starts from. */
  private prunedClock(): bigint {
    return this.parts.checkpointer.checkpoints.get(this.prunedVersion)!.time
  }

  /** See Replica.restore. */
  restore(base: PrunedBase): void {
    const { channel, dag, execution, finalOrder, checkpointer } = this.parts
    if (dag.nodes.size > 0 || execution.order.length > 0) throw new Error('restore() needs a fresh replica')
    dag.keys.restore(base.epochs)
    const certified = (cp: SignedCheckpoint | undefined, version: bigint): SignedCheckpoint => {
      if (!cp || cp.version !== version)
        throw new SnapshotMismatchError(`no checkpoint ${version} in the base`)
      const digest = checkpointDigest(channel.domainSeparator, channel.channelId, cp)
      if (toHex(digest) !== cp.digest) throw new SnapshotMismatchError(`checkpoint ${version}: wrong digest`)
      let valid = 0
      for (const [a, sig] of cp.signatures)
        if (a < this.n && recoverAddress(digest, sig) === dag.keys.keyForVersion(a, version)) valid++
      if (valid < channel.config.threshold)
        throw new SnapshotMismatchError(`checkpoint ${version} is not signed by a quorum`)
      return cp
    }
    // bases written before the list was bounded hold every version from 1; newer ones only what is kept
    const at = (v: bigint) => base.checkpoints.find((c) => c.version === v)
    const cp = certified(at(base.version), base.version)
    const leaderRef = base.frontier.find((r) => r.id === toHex(cp.leader) && !r.expired)
    if (!leaderRef)
      throw new SnapshotMismatchError(`checkpoint ${base.version}'s leader is not in the base's frontier`)
    // the final stubs of the window and the authors' final tips must be those the checkpoint commits to
    // (finalWindow.ts); below the window, the final stubs must be the tips' chains (finalChains.ts)
    const low = leaderRef.round - finalWindowRounds(dag.refDepth)
    const finals = finalEntries(base.frontier)
    const tips = derivedTips(base.frontier, this.n)
    const tipIds = tips.map((t) => t && fromHex(t.id, 32))
    const state = restoreAtCheckpoint(channel, base.state, cp, finalWindowRoot(finals, low, tipIds))
    const windowIds = new Set(base.frontier.filter((r) => !r.expired && r.round >= low).map((r) => r.id))
    const horizon = expiryHorizon(leaderRef.round, dag.refDepth, dag.lateSlack)
    const unchained = finalChainProblem(base.frontier, tips, windowIds, base.proven, horizon)
    if (unchained) throw new SnapshotMismatchError(unchained)
    // who is proven to fork is in the certified state: the base's list must say the same
    for (let a = 0; a < this.n; a++)
      if ((base.proven[a] ?? false) !== ((state.proven >> BigInt(a)) & 1n) > 0n)
        throw new SnapshotMismatchError(`proven forks differ from checkpoint ${base.version}'s state`)
    this.retained = new Map([[base.version, state.clone()]])
    if (base.exitState) {
      const v = base.exitState.version
      const full = certified(at(v), v)
      // an older leader's window is not in the frontier: its root is taken as stored (only hashed with the state)
      if (!full.windowRoot) throw new SnapshotMismatchError(`checkpoint ${v} carries no final window root`)
      this.retained.set(v, restoreAtCheckpoint(channel, base.exitState.state, full, full.windowRoot))
    }
    execution.restore(state, base.clock)
    checkpointer.checkpoints.restore(
      base.checkpoints
        .filter((c) => c.version <= base.version)
        .map((c) => ({ ...c, signatures: new Map(c.signatures) })),
    )
    const authors = channel.config.participants.map((p) => fromHex(p.address, 20))
    for (const ref of base.frontier) {
      const key = ref.revoked ? '' : dag.keys.keyAtSeq(ref.author, BigInt(ref.seq))
      dag.addStub(stubOf(ref, channel.channelId, authors[ref.author]!, key))
    }
    for (const h of base.heads) if (dag.nodes.has(h as Hex)) dag.heads.add(h as Hex)
    dag.floor = base.floor ?? 0
    // the horizon as of the pruning leader (a later commit raises it): lower is only more careful (expiry.ts)
    dag.expiredBelow = expiryHorizon(base.nextRound - 1, dag.refDepth, dag.lateSlack)
    for (const a of base.equivocators) dag.equivocators.add(a)
    dag.equivocations.push(...base.equivocations)
    checkpointer.checkpointConflicts.push(...base.checkpointConflicts)
    // the commit rule continues after the checkpoint's leader's slot (several slots per round: leaders.ts)
    const leader = dag.nodes.get(toHex(cp.leader))
    if (!leader || leader.round + 1 !== base.nextRound)
      throw new SnapshotMismatchError(`checkpoint ${base.version}'s leader is not in the base's frontier`)
    finalOrder.restore(base, leader)
    finalOrder.window.restore(finals, leader.round)
    tips.forEach((t, a) => {
      finalOrder.tips[a] = t && dag.nodes.get(t.id as Hex)
    })
    this.mark = {
      seqs: finalOrder.committedSeqs.map((x) => new Set(x)),
      rounds: finalOrder.committedRounds.map((x) => new Set(x)),
      proven: base.proven.slice(),
      finalEpochs: finalOrder.finalEpochs.map((l) => l.map((e) => ({ ...e }))),
      nextRound: base.nextRound,
      tips: finalOrder.tips.slice(),
    }
    checkpointer.opsSinceCheckpoint = base.opsSinceCheckpoint
    checkpointer.lastCheckpointTime = base.lastCheckpointTime
    checkpointer.checkpointRequested = base.checkpointRequested
    // every version up to the highest this author signed stays signed: never sign one twice
    checkpointer.signedThrough = base.signedVersion
    this.prunedCount = base.position
    this.prunedVersion = base.version
    this.leaderHeader = base.leaderHeader && { ...base.leaderHeader }
    this.parts.onUpdate?.()
  }
}

/**
 * The floor a pruning at a leader of round `round` may raise to: D below it, but not above any author's latest
 * block (a chain resumed from it — say its next block reached the others late — cites it as prev, and parents at
 * most D rounds below the resumed block, all kept), and never more than the late slack K lower than that
 * (CONTEXT.md, "Late blocks and resumed chains").
 */
export function floorFor(dag: Dag, round: number): number {
  let floor = round - dag.refDepth
  for (const x of dag.latest) if (x && x.round < floor) floor = x.round
  return Math.max(floor, round - dag.refDepth - dag.lateSlack)
}
