/**
 * The reference depth D, a protocol constant (CONTEXT.md, "Bounded frontier"): a block of round r may cite as a
 * parent only blocks of round ≥ r − D (its prev is exempt: an author resumes its chain after any silence). Every
 * replica of a channel must use the same D; `DagOptions.refDepth` exists for tests.
 */
export const REF_DEPTH = 64

/**
 * How many stubs (~150 B each) a replica keeps at most to let an author resume after its last block reached the
 * others late (CONTEXT.md, "Late blocks and resumed chains"): the late slack K is this over the participant count.
 */
export const LATE_STUBS = 65_536

/**
 * The late slack K for `n` participants: rounds, beyond the depth D, a block may arrive late and still be cited; and
 * with D, how far below a committing leader's round a block that is not final expires (expiry.ts).
 */
export function lateSlackFor(n: number): number {
  return Math.max(REF_DEPTH, Number(BigInt(LATE_STUBS) / BigInt(Math.max(1, n))))
}
