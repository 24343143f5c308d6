/**
 * When to ask the node for its head again, and whether a poll's answer is news: the pure half of ChainHead
 * (chainHead.ts). A healthy node is polled every `intervalMs`, spread by ±`jitter` so many participants on one node
 * do not ask in the same millisecond; each failure in a row (an error or a timeout) doubles the wait up to
 * `maxBackoffMs`, and one success brings it back to the interval.
 */
export type HeadPolicy = {
  /** wait between polls while the node answers (ms) */
  intervalMs: number
  /** relative spread of each wait, 0 ≤ jitter < 1: 0.2 waits between 0.8 and 1.2 × the wait */
  jitter: number
  /** the longest wait after failures (ms) */
  maxBackoffMs: number
}

/** A browser tab: one head a second, like a block explorer; a dead node is asked again within 10 s. */
export const BROWSER_HEAD_POLICY: HeadPolicy = { intervalMs: 1000, jitter: 0.1, maxBackoffMs: 10_000 }
/** A headless participant: many may share one node, so every 2.5 s ± 30 %, backing off to 30 s. */
export const AGENT_HEAD_POLICY: HeadPolicy = { intervalMs: 2500, jitter: 0.3, maxBackoffMs: 30_000 }

export type HeadState = {
  /** the last head the node reported (undefined before the first answer) */
  head: bigint | undefined
  /** failed polls in a row since the last answer */
  failures: number
}

export const INITIAL_HEAD_STATE: HeadState = { head: undefined, failures: 0 }

/**
 * The state after one poll: `head` is the node's answer, undefined when the poll failed. `changed` is true when
 * the answer differs from the last head — higher, or lower after a reorg or a reset dev chain (evm_revert): either
 * way what the chain holds may differ, so readers re-read.
 */
export function afterPoll(
  state: HeadState,
  head: bigint | undefined,
): { state: HeadState; changed: boolean } {
  if (head === undefined) return { state: { head: state.head, failures: state.failures + 1 }, changed: false }
  return { state: { head, failures: 0 }, changed: head !== state.head }
}

/**
 * The wait before the next poll: the interval, doubled per failure in a row up to maxBackoffMs, spread by the
 * jitter. `random` is a uniform draw in [0, 1) (Math.random in the app; fixed in tests).
 */
export function nextDelayMs(policy: HeadPolicy, state: HeadState, random: number): number {
  const cap = Math.max(policy.maxBackoffMs, policy.intervalMs)
  const base = Math.min(policy.intervalMs * 2 ** Math.min(state.failures, 30), cap)
  return Math.max(1, Math.round(base * (1 + policy.jitter * (2 * random - 1))))
}
