import type { Channel } from '../channel.ts'
import { Committer } from '../committer.ts'
import { Dag, type DagOptions } from '../dag.ts'
import { ExpiredOwn } from '../expiry.ts'
import { Authoring } from './authoring.ts'
import { Checkpointer } from './checkpoints.ts'
import { Execution } from './execution.ts'
import { FinalOrder } from './finalOrder.ts'
import { Ingest } from './ingest.ts'
import type { ReplicaOptions } from './options.ts'
import { OwnKeys } from './ownKeys.ts'
import { Pruning } from './pruning.ts'

/** The parts a Replica (replica.ts) is made of, one concern each. */
export type ReplicaParts = {
  dag: Dag
  committer: Committer
  execution: Execution
  checkpointer: Checkpointer
  finalOrder: FinalOrder
  expiredOwn: ExpiredOwn
  ownKeys: OwnKeys
  authoring: Authoring
  ingest: Ingest
  pruning: Pruning
}

/**
 * Builds a replica's parts for `channel` and wires them to one another: the DAG and the commit rule over it, the
 * fold, checkpoints, the final order (which logs this author's expired blocks), the local author's keys and batch,
 * the ingest pipeline and pruning.
 */
export function wireReplica(channel: Channel, options: ReplicaOptions): ReplicaParts {
  const dagOptions: DagOptions = {}
  if (options.bufferPerAuthor !== undefined) dagOptions.bufferPerAuthor = options.bufferPerAuthor
  if (options.onAccept) dagOptions.onAccept = options.onAccept
  if (options.refDepth !== undefined) dagOptions.refDepth = options.refDepth
  if (options.lateSlack !== undefined) dagOptions.lateSlack = options.lateSlack
  const dag = new Dag(channel, dagOptions)
  const committer = new Committer(dag)
  const execution = new Execution(channel, dag, options.snapshotInterval ?? 32, options.deposits)
  const checkpointIntervalMs = BigInt(options.checkpointIntervalMs ?? 10_000)
  const checkpointer = new Checkpointer(
    channel,
    dag,
    checkpointIntervalMs,
    options.author?.index,
    options.ignoreForcedQueue !== true,
  )
  const finalOrder = new FinalOrder(channel, committer, execution, checkpointer)
  const expiredOwn = new ExpiredOwn(options.author?.index)
  // the ingest pipeline and pruning are made below: these callbacks run only once every part is built
  let ingest!: Ingest
  let pruning!: Pruning
  finalOrder.onExpire = (x) => {
    expiredOwn.record(x, pruning.prunedCount + execution.finalCount, execution.clock)
    if (x.author === options.author?.index) checkpointer.reofferExpired(x)
  }
  const ownKeys = new OwnKeys(options.author, dag, checkpointer)
  const parts = {
    channel,
    dag,
    execution,
    finalOrder,
    checkpointer,
    fold: () => ingest.fold(),
    onUpdate: options.onUpdate,
  }
  const authoring = new Authoring(
    {
      ...parts,
      ownKeys,
      acceptOwn: (node, accepted, equivocators, timeRead) =>
        ingest.acceptOwn(node, accepted, equivocators, timeRead),
    },
    options,
  )
  ingest = new Ingest({ ...parts, authoring })
  pruning = new Pruning(parts)
  return {
    dag,
    committer,
    execution,
    checkpointer,
    finalOrder,
    expiredOwn,
    ownKeys,
    authoring,
    ingest,
    pruning,
  }
}
