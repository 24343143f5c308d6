import type { Hex } from '../core/bytes.ts'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import type { CheckpointConflict, Equivocation, Replica } from '../core/replica.ts'
import type { Trade } from '../core/state.ts'
import {
  type AuthorRow,
  authorsView,
  type BalanceRow,
  type BlockRow,
  type BookDepth,
  balancesOf,
  bookDepth,
  type OpenOrderRow,
  openOrdersOf,
  recentBlocks,
  recentTrades,
} from '../core/views.ts'
import { type ActivityEntry, activityOf, type TradeRow, tradeRowsOf } from './activity.ts'

/** Everything the UI shows about a channel, as immutable data taken from the replica at one moment. */
export type ChannelSnapshot = {
  me: number
  /**
   * minStake (issue #12): the participants whose bond is not attested yet, ascending; no trading op is accepted
   * until it is empty (always empty without a minStake)
   */
  waitingForBonds: number[]
  depth: BookDepth
  balances: BalanceRow[]
  finalBalances: BalanceRow[]
  openOrders: OpenOrderRow[]
  trades: Trade[]
  /** the same trades with time, finality, and this participant's side, fee and order average (activity.ts) */
  tradeRows: TradeRow[]
  /** this participant's fills, cancels and rejections, newest first (activity.ts) */
  activity: ActivityEntry[]
  blocks: BlockRow[]
  authors: AuthorRow[]
  equivocations: Equivocation[]
  /** one key's signatures on two checkpoints at one version (or one contradicting the honest fold) */
  checkpointConflicts: CheckpointConflict[]
  ingress: { accepted: number; duplicate: number; buffered: number; rejected: Record<string, number> }
  blockCount: number
  finalCount: number
  pendingOps: number
  stateRoot: Hex
  /** checkpoints computed from commits, oldest first, with the signatures gathered so far */
  checkpoints: SignedCheckpoint[]
  /** those with signatures from at least q participants: what the contract accepts */
  certifiedCheckpoints: SignedCheckpoint[]
  /** the channel clock at the last commit (ms) and the DAG's highest round */
  clock: bigint
  round: number
}

export type TakeSnapshotParameters = { replica: Replica; me: number; market?: number; depthLevels?: number }

export function takeSnapshot({
  replica,
  me,
  market = 0,
  depthLevels = 16,
}: TakeSnapshotParameters): ChannelSnapshot {
  const state = replica.state
  const rejected: Record<string, number> = {}
  for (const [k, v] of replica.ingress.rejected) rejected[k] = v
  let root = ''
  for (const b of replica.stateRoot()) root += b.toString(16).padStart(2, '0')
  return {
    me,
    waitingForBonds: state.stake.waitingFor(),
    depth: bookDepth(state, market, depthLevels, me),
    balances: balancesOf(state, me),
    finalBalances: balancesOf(replica.finalState(), me),
    openOrders: openOrdersOf(state, me),
    trades: recentTrades(state, 100),
    tradeRows: tradeRowsOf(replica, me, 100),
    activity: activityOf(replica, me, 50),
    blocks: recentBlocks(replica, 50),
    authors: authorsView(replica),
    equivocations: replica.equivocations.slice(),
    checkpointConflicts: replica.checkpointConflicts.slice(),
    ingress: {
      accepted: replica.ingress.accepted,
      duplicate: replica.ingress.duplicate,
      buffered: replica.bufferedCount,
      rejected,
    },
    blockCount: replica.order.length,
    finalCount: replica.finalCount,
    pendingOps: replica.pendingOps,
    stateRoot: `0x${root}`,
    checkpoints: replica.heldCheckpoints().slice(),
    certifiedCheckpoints: replica.heldCheckpoints().filter((c) => c.signatures.size >= replica.q),
    clock: replica.clock,
    round: replica.dag.maxRound,
  }
}
