import type { Channel } from '../channel.ts'
import { leaderTime } from '../channelClock.ts'
import type { Committer } from '../committer.ts'
import { type Node, UNCOMMITTED } from '../dagNode.ts'
import { emittedOrExpired, expiryHorizon } from '../expiry.ts'
import { betterTip, FinalWindow, finalWindowRounds } from '../finalWindow.ts'
import { rotationOf } from '../keys.ts'
import { linearize } from '../linearizer.ts'
import { OpTag } from '../ops.ts'
import { fromRanges, type PrunedBase } from '../snapshot/base.ts'
import type { Checkpointer } from './checkpoints.ts'
import type { Execution } from './execution.ts'

/** a key in force for an author from a seq on, as the final order decides it */
export type FinalEpoch = { key: string; fromSeq: bigint }

/** Whether a block carries ops other than its key rotation: such blocks keep rounds going until final. */
export function hasWork(node: Node): boolean {
  const ops = node.block.ops
  return ops.length > 1 || (ops.length === 1 && ops[0]!.tag !== OpTag.RotateKey)
}

/** Adds the rotation `x` carries, if any, to its author's final key epochs (its first final carrier counts). */
export function noteFinalRotation(finalEpochs: FinalEpoch[][], x: Node): void {
  const epochs = finalEpochs[x.author]!
  const rotation = rotationOf(x.block)
  if (rotation && rotation !== 'misplaced' && !epochs.some((e) => e.fromSeq === rotation.fromSeq))
    epochs.push({ key: x.key, fromSeq: rotation.fromSeq })
}

/**
 * The final order: runs the commit rule (committer.ts), moves each committed leader's history into the final
 * prefix of the order in commit order, and applies the final order's key and equivocation rules to it.
 */
export class FinalOrder {
  /** committed leaders, in commit order */
  readonly leaders: Node[] = []
  /** per author: seqs and rounds of its committed blocks, and the commit index where its equivocation is proven */
  readonly committedSeqs: Set<number>[]
  readonly committedRounds: Set<number>[]
  readonly provenAt: number[]
  /** per author: key epochs in the order their rotations became final (the final order's key rule) */
  readonly finalEpochs: FinalEpoch[][]
  /** the final blocks of the last 2D rounds, which each checkpoint commits to (finalWindow.ts) */
  readonly window: FinalWindow
  /** per author: its final tip — the final block of the highest seq (lowest id among twins), not void by its key */
  readonly tips: (Node | undefined)[]
  /** accepted blocks carrying ops that are not committed yet: rounds go on while there are any */
  uncommittedWithOps = 0
  /** called for each pending block that expired (never final, its ops dropped): the author is told (Replica) */
  onExpire: ((node: Node) => void) | undefined
  private readonly n: number

  constructor(
    channel: Channel,
    private readonly committer: Committer,
    private readonly execution: Execution,
    private readonly checkpointer: Checkpointer,
  ) {
    this.n = channel.config.participants.length
    this.committedSeqs = Array.from({ length: this.n }, () => new Set())
    this.committedRounds = Array.from({ length: this.n }, () => new Set())
    this.provenAt = new Array(this.n).fill(UNCOMMITTED)
    this.finalEpochs = channel.sessionKeys.map((key) => [{ key, fromSeq: 0n }])
    this.window = new FinalWindow(finalWindowRounds(committer.dag.refDepth))
    this.tips = new Array(this.n).fill(undefined)
  }

  /** Counts an accepted block that keeps rounds going until it is committed. */
  accepted(node: Node): void {
    if (hasWork(node)) this.uncommittedWithOps++
  }

  /** Runs the commit rule; moves newly committed histories into the final prefix in commit order. */
  commit(): void {
    const leaders = this.committer.advance()
    if (leaders.length === 0) return
    const ex = this.execution
    const order = ex.order
    const oldFinal = ex.finalCount
    const committed: Node[] = []
    const dag = this.committer.dag
    // a block applied as pending under the pending void rule that the final rule judges otherwise is replayed
    let revoid = Number.POSITIVE_INFINITY
    for (const leader of leaders) {
      const horizon = expiryHorizon(leader.round, dag.refDepth, dag.lateSlack)
      const sub = linearize(leader, this.n, (x) =>
        emittedOrExpired(x, horizon, (y) => y.commitIndex !== UNCOMMITTED),
      )
      if (horizon > dag.expiredBelow) dag.expiredBelow = horizon
      const time = leaderTime(leader, ex.clock)
      const key = ex.state.timeKey(time)
      for (const x of sub) {
        const wasVoid = ex.isVoid(x)
        x.commitIndex = oldFinal + committed.length
        committed.push(x)
        ex.commitTimes[x.commitIndex] = time
        this.markCommitted(x)
        this.window.add(x.round, x.id)
        if (!x.revoked && betterTip(x.seq, x.hex, this.tips[x.author])) this.tips[x.author] = x
        if (x.voided !== wasVoid && x.commitIndex < revoid) revoid = x.commitIndex
        // the proof of a fork sets `proven` in the state (execution.ts), even if it was void while pending already
        if (x.commitIndex === this.provenAt[x.author] && x.commitIndex < revoid) revoid = x.commitIndex
        // applied (as pending) with a clock epoch other than its final one: replay it
        const read = ex.timeRead.get(x)
        if (read !== undefined && read !== key && x.commitIndex < revoid) revoid = x.commitIndex
        if (hasWork(x)) this.uncommittedWithOps--
        if (!x.voided) this.checkpointer.countFinal(x)
      }
      this.leaders.push(leader)
      ex.clock = time
      this.window.advance(leader.round)
      this.checkpointer.afterLeader(leader, ex.clock, oldFinal + committed.length, () =>
        this.window.root(
          leader.round,
          this.tips.map((t) => t?.id),
        ),
      )
    }
    // the pending tail minus what was committed and what expired, in its order; the final prefix grows by `committed`
    const rest: Node[] = []
    for (let i = oldFinal; i < order.length; i++) {
      const x = order[i]!
      if (x.commitIndex !== UNCOMMITTED) continue
      if (x.round < dag.expiredBelow) this.expire(x)
      else rest.push(x)
    }
    let diff = oldFinal
    const next = committed.concat(rest)
    while (diff - oldFinal < next.length && diff < revoid && order[diff] === next[diff - oldFinal]) diff++
    const changed = diff < order.length
    for (let i = diff; i < oldFinal + next.length; i++) order[i] = next[i - oldFinal]!
    order.length = oldFinal + next.length
    ex.finalCount = oldFinal + committed.length
    if (changed) ex.markDirty(diff)
  }

  /** A pending block below the expiry horizon leaves the order: no leader can commit it any more (expiry.ts). */
  private expire(x: Node): void {
    x.expired = true
    x.late = true
    if (hasWork(x)) this.uncommittedWithOps--
    this.execution.timeRead.delete(x)
    this.onExpire?.(x)
  }

  /**
   * The key rule and the equivocation rule of the final order. A rotation applies from the position where the first
   * block carrying it becomes final: a later final block of that author at or above its fromSeq signed by a key it
   * replaced is void (RevokedKey) and proves nothing. Otherwise an author's blocks from the first committed
   * conflict on are void.
   */
  private markCommitted(x: Node): void {
    const a = x.author
    // a rotation applies from its first final carrier (signed by its new key, the DAG checked)
    noteFinalRotation(this.finalEpochs, x)
    const epochs = this.finalEpochs[a]!
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

  /** Drops the first `pos` final blocks (pruning): commit indexes shift down by `pos`. */
  dropFinalPrefix(pos: number): void {
    for (let a = 0; a < this.n; a++)
      if (this.provenAt[a] !== UNCOMMITTED) this.provenAt[a] = Math.max(0, this.provenAt[a]! - pos)
    this.leaders.splice(0, this.leaders.findIndex((l) => !l.pruned) >>> 0)
  }

  /** Takes over a pruned base's bookkeeping (a fresh replica), continuing after its checkpoint's `leader`. */
  restore(base: PrunedBase, leader: Node): void {
    for (let a = 0; a < this.n; a++) {
      this.committedSeqs[a] = fromRanges(base.committedSeqs[a] ?? [])
      this.committedRounds[a] = fromRanges(base.committedRounds[a] ?? [])
      this.provenAt[a] = base.proven[a] ? 0 : UNCOMMITTED
      if (base.finalEpochs[a]) this.finalEpochs[a] = base.finalEpochs[a]!.map((e) => ({ ...e }))
    }
    this.committer.resumeAfter(leader)
  }
}
