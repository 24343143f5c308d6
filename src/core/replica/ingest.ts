import type { Channel } from '../channel.ts'
import type { Dag } from '../dag.ts'
import type { Node } from '../dagNode.ts'
import { compareInRound } from '../linearizer.ts'
import type { Checkpointer } from './checkpoints.ts'
import type { Execution } from './execution.ts'
import type { FinalOrder } from './finalOrder.ts'

/** What the ingest pipeline needs from the replica around it. */
export type IngestParts = {
  channel: Channel
  dag: Dag
  execution: Execution
  finalOrder: FinalOrder
  checkpointer: Checkpointer
  /** the open batch (authoring.ts): undone before a replay (execution.batchOnTop) and applied on top again after it */
  authoring: { reapply(): void }
  onUpdate: (() => void) | undefined
}

/**
 * The pipeline every block that joins the DAG (validated by dag.ts, received or sealed here) goes through: into the
 * pending tail of the order, its checkpoint signatures filed, then the commit rule, then the fold (execution, due
 * checkpoints, the open batch on top).
 */
export class Ingest {
  private readonly n: number

  constructor(private readonly parts: IngestParts) {
    this.n = parts.channel.config.participants.length
  }

  /** Places blocks that joined the DAG in the pending tail, files their checkpoint signatures, commits and folds. */
  afterAccept(accepted: readonly Node[], equivocatorsBefore: number): void {
    for (const node of accepted) {
      // an expired header never enters the order: no leader can commit it (expiry.ts)
      if (node.expired) continue
      this.parts.finalOrder.accepted(node)
      this.parts.execution.insertPending(node)
    }
    // a rotation learned from a new block: the author's pending blocks are judged again, and signatures it
    // gathered at versions from the rotation's fromVersion on that are not by the new key no longer count
    for (const { author, epoch } of this.parts.dag.learnedRotations.splice(0)) {
      this.parts.execution.markAuthorDirty(author)
      this.parts.checkpointer.dropReplacedSignatures(author, epoch)
    }
    for (const node of accepted) if (!node.expired) this.parts.checkpointer.checkOps(node)
    if (this.parts.dag.equivocators.size !== equivocatorsBefore) {
      // a newly proven equivocator's pending blocks become void: replay the tail from its first one
      const order = this.parts.execution.order
      for (let i = this.parts.execution.finalCount; i < order.length; i++)
        if (this.parts.dag.equivocators.has(order[i]!.author)) {
          this.parts.execution.markDirty(i)
          break
        }
    }
    this.parts.finalOrder.commit()
    this.fold()
    this.afterHorizon()
  }

  /**
   * A commit raises the expiry horizon: blocks that waited in the buffer below it are judged again (dag.ts
   * reexamineBuffered), and what that admits goes through the pipeline like any accepted block.
   */
  private afterHorizon(): void {
    const dag = this.parts.dag
    const equivocators = dag.equivocators.size
    const freed: Node[] = []
    dag.reexamineBuffered(freed)
    if (freed.length > 0) this.afterAccept(freed, equivocators)
  }

  /** After this author's own block joined the DAG (with `accepted`, what it unblocked): commits and folds. */
  acceptOwn(
    node: Node,
    accepted: readonly Node[],
    equivocatorsBefore: number,
    timeRead: bigint | undefined,
  ): void {
    const ex = this.parts.execution
    // the batch was applied on top of everything: if the block sorts last, the state already holds it — unless the
    // block is void (its author, this replica's own, is known to fork: same key on two devices, or a Byzantine
    // author), whose ops the batch applied anyway. Otherwise it is folded like any block: the replay starts below
    // the batch's ops (execution.batchOnTop), or this replica alone would keep them in its final state
    const sortsLast =
      ex.order.length === 0 || compareInRound(ex.order[ex.order.length - 1]!, node, this.n) < 0
    const fast =
      sortsLast &&
      !ex.dirty &&
      accepted.length === 1 &&
      this.parts.dag.learnedRotations.length === 0 &&
      !ex.isVoid(node)
    if (fast) {
      this.parts.finalOrder.accepted(node)
      this.parts.checkpointer.checkOps(node)
      if (timeRead !== undefined) ex.timeRead.set(node, timeRead)
      ex.order.push(node)
      ex.applied = ex.order.length
      ex.batchOnTop = false
      this.parts.finalOrder.commit()
      if (ex.dirty || this.parts.checkpointer.due.length > 0) this.fold()
      else {
        ex.pruneSnapshots()
        this.parts.onUpdate?.()
      }
      this.afterHorizon()
    } else this.afterAccept(accepted, equivocatorsBefore)
  }

  /** Brings `state` up to date with the order, computes due checkpoints, and applies the open batch on top. */
  fold(): void {
    this.parts.execution.replay()
    this.parts.checkpointer.computeDue((position) => this.parts.execution.stateAt(position))
    this.parts.authoring.reapply()
    this.parts.execution.pruneSnapshots()
    this.parts.onUpdate?.()
  }
}
