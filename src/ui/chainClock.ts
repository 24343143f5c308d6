import type { DisputePhase } from '../chain/readers/getDisputeStatus.ts'

/**
 * The chain's clock between reads. A read gives the latest block's timestamp, which stands still between blocks
 * (a local anvil mines only on transactions; real chains every few seconds): the estimate is the wall clock plus
 * the largest (chain − wall) offset observed. The largest, because a block's timestamp is never ahead of when it
 * was mined, so the freshest block gives the best offset, and chain time only moves forward (anvil's
 * evm_increaseTime included).
 */
export class ChainClock {
  private offset: number | undefined

  /** Records a read: the latest block's timestamp (unix s) and the wall clock (ms) when the answer arrived. */
  observe(blockTimestamp: bigint, wallMs: number): void {
    const o = Number(blockTimestamp) - wallMs / 1000
    if (this.offset === undefined || o > this.offset) this.offset = o
  }

  /** The estimated chain time (unix s) at wall time `wallMs`; undefined before the first read. */
  now(wallMs: number): bigint | undefined {
    if (this.offset === undefined) return undefined
    return BigInt(Math.floor(wallMs / 1000 + this.offset))
  }
}

export type LiveDispute = { phase: DisputePhase; secondsLeft: bigint }

/**
 * The dispute as of `chainNow` (ChainClock.now): a 'disputing' status whose deadline has passed is
 * 'finalizable' — anyone may finalize, the next block's timestamp will be past it — even if no block was mined
 * since the read. Seconds left count down from the deadline, never from the read.
 */
export function liveDispute(
  status: { phase: DisputePhase; deadline: bigint; now: bigint },
  chainNow: bigint | undefined,
): LiveDispute {
  const now = chainNow !== undefined && chainNow > status.now ? chainNow : status.now
  if (status.phase !== 'disputing') return { phase: status.phase, secondsLeft: 0n }
  if (now >= status.deadline) return { phase: 'finalizable', secondsLeft: 0n }
  return { phase: 'disputing', secondsLeft: status.deadline - now }
}
