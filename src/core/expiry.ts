import type { Hex } from './bytes.ts'
import type { Node } from './dagNode.ts'
import type { Op } from './ops.ts'

/**
 * The expiry rule (CONTEXT.md, "Chain restart"), part of the final order: when a leader of round R commits, a block
 * of its causal history that is not final yet and has a round below R − D − K is **expired** — not emitted, its ops
 * never applied, its own history not walked (every block there has a lower round, so it is expired too). A function
 * of the leader and of what is final, so every replica decides it alike whether it holds the block in full, as a
 * header, or not at all; and since later leaders have higher rounds, an expired block stays expired.
 */
export function expiryHorizon(leaderRound: number, refDepth: number, lateSlack: number): number {
  return leaderRound - refDepth - lateSlack
}

/** Whether `x` is already emitted or expired as far as a leader whose horizon is `horizon` is concerned. */
export function emittedOrExpired(x: Node, horizon: number, isCommitted: (x: Node) => boolean): boolean {
  return isCommitted(x) || x.round < horizon
}

/** One of the local author's blocks that expired: never final, its ops dropped (the UI says so; they may be re-sent). */
export type ExpiredBlock = {
  id: Hex
  seq: bigint
  round: number
  ops: readonly Op[]
  /** the length of the whole final order (pruned blocks included) when it expired, and the channel clock then */
  position: number
  time: bigint
}

/** How many expired own blocks are remembered (an honest author has at most a few: those it sealed while cut off). */
const EXPIRED_KEPT = 64

/** The local author's expired blocks, oldest first, the newest EXPIRED_KEPT of them. */
export class ExpiredOwn {
  private readonly list: ExpiredBlock[] = []

  constructor(private readonly author: number | undefined) {}

  /** Notes `x` if the local author wrote it (`position`, `time`: see ExpiredBlock). */
  record(x: Node, position: number, time: bigint): void {
    if (x.author !== this.author) return
    this.list.push({ id: x.hex, seq: BigInt(x.seq), round: x.round, ops: x.block.ops, position, time })
    if (this.list.length > EXPIRED_KEPT) this.list.shift()
  }

  get blocks(): readonly ExpiredBlock[] {
    return this.list
  }
}
