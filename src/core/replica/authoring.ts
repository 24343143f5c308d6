import { createBlock } from '../block.ts'
import { fromHex, toHex } from '../bytes.ts'
import type { Channel } from '../channel.ts'
import { parentsFor } from '../citation.ts'
import type { Dag } from '../dag.ts'
import { makeNode, type Node } from '../dagNode.ts'
import { leaderOf, slotOffset } from '../leaders.ts'
import { encodeOps } from '../opCodec.ts'
import { MAX_CHECKPOINT_OPS_PER_BLOCK, MAX_OPS_PER_BLOCK, type Op, OpTag } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { mergeTimeReads } from '../state.ts'
import type { Checkpointer } from './checkpoints.ts'
import type { Execution } from './execution.ts'
import { type FinalOrder, hasWork } from './finalOrder.ts'
import type { LocalAuthor, OwnKeys } from './ownKeys.ts'

/** An op that cannot be encoded (a field out of range): refused before it enters the batch. */
export class InvalidOpError extends Error {
  override name = 'InvalidOpError'
}

/** Submitting into a batch that is full while the next round is not yet open. */
export class BatchFullError extends Error {
  override name = 'BatchFullError'
}

/** What authoring needs from the replica around it. */
export type AuthoringParts = {
  channel: Channel
  dag: Dag
  execution: Execution
  finalOrder: FinalOrder
  checkpointer: Checkpointer
  ownKeys: OwnKeys
  /** brings the state up to date with the order (and applies the open batch on top again) */
  fold: () => void
  /** commits and folds after an own block joined the DAG (`timeRead`: the clock epoch its ops read, if any) */
  acceptOwn: (node: Node, accepted: readonly Node[], equivocatorsBefore: number, timeRead?: bigint) => void
  onUpdate: (() => void) | undefined
}

/**
 * Local authoring: the open batch (local ops applied at once, pending, on top of the order), when this author has a
 * reason to propose and which round it may propose in (the leader wait), and sealing the batch into its next block.
 */
export class Authoring {
  /** `timeRead`: the clock epoch the batch's ops read, if any (recorded for the block it is sealed into) */
  private batch: { ops: Op[]; results: Reject[]; timeRead: bigint | undefined } | undefined
  /** the caller's clock at the last tick */
  now = 0
  /** round → caller's time when it first had a quorum here without its leader */
  private readonly leaderWaitSince = new Map<number, number>()
  private readonly maxBatchOps: number
  private readonly leaderWaitMs: number
  private readonly me: LocalAuthor | undefined
  private readonly n: number

  constructor(
    private readonly parts: AuthoringParts,
    options: { maxBatchOps?: number | undefined; leaderWaitMs?: number | undefined },
  ) {
    this.me = parts.ownKeys.me
    this.n = parts.channel.config.participants.length
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
  }

  /** Ops in the open batch (applied, not yet in a block). */
  get ops(): readonly Op[] {
    return this.batch?.ops ?? []
  }

  /** After the order was folded: applies the open batch on top again (snapshotted, so the next fold undoes it). */
  reapply(): void {
    if (!this.batch || this.batch.ops.length === 0) return
    this.parts.execution.takeSnapshot(this.parts.execution.applied)
    const ops = this.batch.ops
    this.batch.results = []
    this.batch.timeRead = undefined
    for (const op of ops) this.batch.results.push(this.applyLocal(op))
  }

  private applyLocal(op: Op): Reject {
    const me = this.me!
    const { dag, execution } = this.parts
    const ctx = {
      author: me.index,
      seq: BigInt((dag.latest[me.index]?.seq ?? 0) + 1),
      index: this.batch!.results.length,
      height: dag.quorumRound + 1,
      block: '',
      time: execution.clock,
    }
    const state = execution.state
    state.timeRead = undefined
    execution.batchOnTop = true
    const r = state.apply(op, ctx)
    this.batch!.timeRead = mergeTimeReads(this.batch!.timeRead, state.timeRead)
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
    if (this.batch.ops.length === 0) this.parts.execution.takeSnapshot(this.parts.execution.applied)
    const seq = BigInt((this.parts.dag.latest[this.me!.index]?.seq ?? 0) + 1)
    const index = this.batch.ops.length
    const result = this.applyLocal(op)
    this.batch.ops.push(op)
    this.batch.results.push(result)
    return { seq, index, result }
  }

  /** See Replica.submit. */
  submit(
    op: Op,
    now = this.now,
  ): { seq: bigint; index: number; result: Reject; sealed: Uint8Array | undefined } {
    if (!this.me) throw new Error('this replica has no author key')
    if (this.parts.execution.dirty) this.parts.fold()
    if ((this.batch?.ops.length ?? 0) >= this.maxBatchOps) {
      const sealed = this.tick(now)
      if (!sealed) throw new BatchFullError(`${this.maxBatchOps} ops wait for the next round`)
      const r = this.enqueue(op)
      return { ...r, sealed }
    }
    const r = this.enqueue(op)
    this.parts.onUpdate?.()
    return { ...r, sealed: undefined }
  }

  /** See Replica.wantsToPropose. */
  wantsToPropose(): boolean {
    const { dag, execution, checkpointer } = this.parts
    if ((this.batch?.ops.length ?? 0) > 0 || checkpointer.readyToSign()) return true
    // a rotation nobody has seen yet: peers treat the replaced key's blocks as revoked only once a block carries it
    if (this.parts.ownKeys.rotationPending()) return true
    // someone is a round ahead without a quorum there yet (it proposed while ops were pending here): fill that
    // round, or it could never propose again — its next round needs q blocks of this one. Only up to the highest
    // round: once it has a quorum nobody needs to follow, so catching up never starts a new round by itself.
    const own = this.me ? dag.latest[this.me.index] : undefined
    // (a late block's author is not followed: nobody will cite it, and rounds would run on for it forever)
    const top = dag.maxTimelyRound
    if (this.me && top > (own?.round ?? 0) && dag.quorumRound < top) return true
    if (this.parts.finalOrder.uncommittedWithOps === 0) return false
    if (dag.equivocators.size === 0 && !dag.keys.rotated && dag.lateAccepted === 0) return true
    // an equivocator's forks, blocks signed by a replaced key and late blocks may never be cited: they give no
    // reason (rounds would otherwise run forever for ops that cannot commit)
    for (let i = execution.finalCount; i < execution.order.length; i++) {
      const x = execution.order[i]!
      if (hasWork(x) && !x.late && !dag.equivocators.has(x.author) && !dag.isRevoked(x)) return true
    }
    return false
  }

  /** See Replica.proposalRound. */
  proposalRound(now: number): number | undefined {
    const me = this.me
    if (!me) return undefined
    const dag = this.parts.dag
    const qr = dag.quorumRound
    const own = dag.latest[me.index]
    if (own && own.round > qr) return undefined
    if (qr >= 1) {
      if (this.awaited(qr, me.index)) {
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
   * Whether round `qr` (which has a quorum) still lacks a block worth waiting for: its primary leader's, or — every
   * block being a leader slot (leaders.ts) — that of a participant active in the round before whose slot comes before
   * a block of the round that carries ops. A slot the next round only half supports is undecided until a later
   * anchor decides it and holds back every slot after it: an op's block waits a round more. Nobody else is waited
   * for: a participant silent in the round before (a crashed one would slow every round), nor one whose slot holds
   * back no ops.
   */
  private awaited(qr: number, me: number): boolean {
    const dag = this.parts.dag
    const n = this.n
    let lastWork = -1
    for (const x of dag.byRound.get(qr) ?? [])
      if (hasWork(x)) lastWork = Math.max(lastWork, slotOffset(x.author, qr, n))
    const leader = leaderOf(qr, n)
    for (let a = 0; a < n; a++) {
      if (a === me || dag.slot(a, qr).length > 0) continue
      if (a === leader) return true
      if (qr > 1 && slotOffset(a, qr, n) < lastWork && dag.slot(a, qr - 1).length > 0) return true
    }
    return false
  }

  /** See Replica.leaderWaitLeft. */
  leaderWaitLeft(now: number): number | undefined {
    if (!this.me || !this.wantsToPropose()) return undefined
    const since = this.leaderWaitSince.get(this.parts.dag.quorumRound)
    if (since === undefined) return undefined
    const left = since + this.leaderWaitMs - now
    return left > 0 ? left : undefined
  }

  /** See Replica.tick. */
  tick(now: number): Uint8Array | undefined {
    this.now = now
    if (!this.me || !this.wantsToPropose()) return undefined
    const round = this.proposalRound(now)
    if (round === undefined) return undefined
    return this.sealAt(round, now)
  }

  /** Queues this author's signature of the newest computed checkpoint it has not signed (one per block). */
  private attachSignature(me: LocalAuthor): void {
    const keys = this.parts.ownKeys
    const op = this.parts.checkpointer.signNext(me.index, (version) => keys.keyForVersion(me, version))
    if (op) this.enqueue(op)
  }

  private sealAt(round: number, now: number): Uint8Array {
    const me = this.me!
    const { channel, dag, execution, ownKeys } = this.parts
    const own = dag.latest[me.index]
    const parents = parentsFor(dag, round, own).map((x) => x.id)
    this.attachSignature(me)
    const rotation = ownKeys.rotation
    const batchOps = this.batch?.ops ?? []
    const ops = rotation ? [...batchOps, rotation] : batchOps
    const { block, id, bytes } = createBlock({
      channelId: channel.channelId,
      author: fromHex(channel.config.participants[me.index]!.address, 20),
      seq: BigInt((own?.seq ?? 0) + 1),
      round: BigInt(round),
      time: BigInt(Math.max(0, Math.trunc(now))),
      prev: own ? own.id : channel.genesis,
      parents,
      ops,
      sessionKey: me.sessionKey,
      domainSeparator: channel.domainSeparator,
    })
    const results = rotation ? [...(this.batch?.results ?? []), Reject.None] : (this.batch?.results ?? [])
    const timeRead = this.batch?.timeRead
    this.batch = undefined
    const hex = toHex(id)
    const trades = execution.trades
    for (let i = trades.length - 1; i >= 0 && trades[i]!.block === ''; i--) trades[i]!.block = hex
    const node = makeNode(id, hex, block, bytes, me.index)
    node.key = ownKeys.keyAddress(me)
    node.results.set(results)
    const accepted: Node[] = []
    const r = dag.addOwn(node, accepted)
    if (r.status !== 'accepted') throw new Error(`own block refused: ${r.status}`)
    this.parts.acceptOwn(node, accepted, dag.equivocators.size, timeRead)
    return bytes
  }
}
