/**
 * Censorship (issue #12): an honest key never signs a checkpoint that leaves out a forced record already due at the
 * checkpoint's channel time. The contract slashes such a signature (`slashCensorship`, contracts/CONTEXT.md): the
 * evidence is a checkpoint with `forcedCount ≤ i` for a record i whose chain time plus the force-inclusion delay is at
 * or before `checkpoint.time`. A replica signs every checkpoint its fold computes; when censors withhold the
 * `ForcedAttest` quorum that checkpoint leaves the record out, so without this rule the honest signers would be the
 * ones slashed. The replica learns the records' chain times from the chain (src/store's forced-record poll).
 */
import type { Checkpoint } from './checkpoint.ts'

/** The contract's `FORCE_INCLUSION_DELAY`: the longest a forced record may be left out, in seconds. */
export const FORCE_INCLUSION_DELAY_SECONDS = 3_600n

/** A forced record's index and the block time (seconds) the contract recorded it at. */
export type ForcedRecordTime = { readonly index: bigint; readonly time: bigint }

/** The channel's force-inclusion delay in seconds, as the contract's `forceInclusionDelay`: min(window, 1 h). */
export function forceInclusionDelay(disputeWindow: bigint): bigint {
  return disputeWindow < FORCE_INCLUSION_DELAY_SECONDS ? disputeWindow : FORCE_INCLUSION_DELAY_SECONDS
}

/** The channel time (ms) from which a checkpoint leaving out a record of chain time `time` (s) is slashable. */
export function forcedDueAtMs(time: bigint, delaySeconds: bigint): bigint {
  return (time + delaySeconds) * 1000n
}

/**
 * The lowest index among `records` that `cp` leaves out (`index ≥ cp.forcedCount`) although it was due at `cp.time`
 * (`cp.time ≥ 1000 × (time + delay)`, the contract's bound, inclusive), or undefined when signing `cp` is safe.
 */
export function censoredRecord(
  cp: Pick<Checkpoint, 'time' | 'forcedCount'>,
  records: Iterable<ForcedRecordTime>,
  delaySeconds: bigint,
): bigint | undefined {
  let found: bigint | undefined
  for (const r of records)
    if (
      r.index >= cp.forcedCount &&
      cp.time >= forcedDueAtMs(r.time, delaySeconds) &&
      (found === undefined || r.index < found)
    )
      found = r.index
  return found
}

/**
 * What one read of the chain's forced queue tells a replica: the contract held exactly `count` records in the block
 * of timestamp `asOfChainTime` (s), and the times of (some of) them. Records are appended in time order, so every
 * record with time < asOfChainTime has an index < count, and a record this read did not see has time ≥
 * asOfChainTime (blocks at one timestamp are possible on a dev chain, so not strictly greater).
 */
export type ForcedQueueWatermark = {
  readonly count: bigint
  readonly asOfChainTime: bigint
  readonly records: readonly ForcedRecordTime[]
}

/**
 * Whether an honest key may sign `cp` given what it knows of the forced queue (`watermark`: the newest read; `times`:
 * every record time it was told, by index):
 * - `refuse` when a known record left out (`index ≥ cp.forcedCount`) is already due at `cp.time`: the same
 *   checkpoint stays slashable, so it is never signed;
 * - `defer` when it cannot rule out a due record it has not heard of: no read yet, a read too old
 *   (`1000 × (asOfChainTime + delay) ≤ cp.time`: a record recorded right after it would be due at `cp.time`), or a
 *   record below the read's count that is left out and whose time it was not told;
 * - `sign` otherwise: every record that could be due at `cp.time` has time < asOfChainTime + 1, so an index below
 *   the count, and none of those left out is due.
 */
export function forcedVerdict(
  cp: Pick<Checkpoint, 'time' | 'forcedCount'>,
  watermark: Pick<ForcedQueueWatermark, 'count' | 'asOfChainTime'> | undefined,
  times: ReadonlyMap<bigint, bigint>,
  delaySeconds: bigint,
):
  | { kind: 'sign' }
  | { kind: 'refuse'; index: bigint }
  | { kind: 'defer'; reason: 'no-read' | 'stale' | 'unknown-record' } {
  const censored = censoredRecord(
    cp,
    Array.from(times, ([index, time]) => ({ index, time })),
    delaySeconds,
  )
  if (censored !== undefined) return { kind: 'refuse', index: censored }
  if (watermark === undefined) return { kind: 'defer', reason: 'no-read' }
  if (forcedDueAtMs(watermark.asOfChainTime, delaySeconds) <= cp.time)
    return { kind: 'defer', reason: 'stale' }
  for (let i = cp.forcedCount; i < watermark.count; i++)
    if (!times.has(i)) return { kind: 'defer', reason: 'unknown-record' }
  return { kind: 'sign' }
}
