import type { Op } from '../ops.ts'
import type { Reject } from '../reasons.ts'
import type { ChannelState } from '../state.ts'
import { type PerpAccountView, type PerpPositionView, perpAccountOf, perpPositionsOf } from './views.ts'

export type PreviewPerpOpParameters = {
  state: ChannelState
  op: Op
  author: number
  /** the channel clock the op would be applied with (a local op: the clock of the last committed leader) */
  time: bigint
}

export type PreviewPerpOpReturnType = {
  /** the fold's verdict for the op at the end of `state`: the reason the UI shows before anything is sent */
  result: Reject
  /** the author's margin account and positions had it applied (unchanged when refused) */
  account: PerpAccountView | undefined
  positions: PerpPositionView[]
}

/**
 * Applies `op` to a copy of `state` (its own execution log, so the original is untouched) with the same rules as
 * the fold, and reports the result: the reason it would be refused (e.g. LeverageTooHigh) and the account after.
 * What it predicts holds for a local op applied now; a concurrent op ordered before it may change the outcome.
 */
export function previewPerpOp({ state, op, author, time }: PreviewPerpOpParameters): PreviewPerpOpReturnType {
  const copy = state.clone()
  // the clone shares the execution log; a dry run must never append to the original's
  copy.trades = []
  const result = copy.apply(op, { author, seq: 0n, index: 0, height: 0, block: 'preview', time })
  return { result, account: perpAccountOf(copy, author), positions: perpPositionsOf(copy, author) }
}
