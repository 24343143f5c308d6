import type { Node } from '../dagNode.ts'
import type { DepositRecord } from '../state.ts'

/** How a Replica (replica.ts) is made: the local author, limits and intervals, test-only protocol constants, callbacks. */
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
  /** the reference depth D (dag.ts REF_DEPTH): a protocol constant, every replica of a channel the same (tests) */
  refDepth?: number
  /** the late slack K (dag.ts lateSlackFor); the expiry rule reads it: the same at every replica (tests make it small) */
  lateSlack?: number
  /** take a rollback snapshot every this many applied blocks */
  snapshotInterval?: number
  /** deposit records credited before any block: tests, benchmarks and the simulator start funded this way */
  deposits?: readonly DepositRecord[]
  /** called for every block that joins the DAG (received, unblocked from the buffer, or sealed locally) */
  onAccept?: (node: Node) => void
  /** called after every change to the folded state */
  onUpdate?: () => void
  /**
   * Sign checkpoints without fresh knowledge of the chain's forced-inclusion queue (noteForcedQueue). Only for
   * replicas with no chain behind them (unit tests, benchmarks, the simulator): a live participant that sets it can
   * sign a checkpoint leaving out a record it has not heard of yet, and lose its bond (censorship.ts).
   */
  ignoreForcedQueue?: boolean
}
