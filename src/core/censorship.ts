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
