/**
 * The channel's quorum q: how many distinct participants make a round advance, a leader commit and a checkpoint
 * valid on chain. Any q with n/2 < q ≤ n works; the default n − ⌊(n − 1)/3⌋ balances the two guarantees:
 * - safety (no two honest replicas finalize different prefixes) while fewer than 2q − n participants
 *   equivocate, because any two quorums then share an honest member;
 * - liveness (finality keeps advancing) while at most n − q participants are silent.
 * Beyond that, any conflicting finality comes with signed evidence against at least 2q − n participants.
 */
export function defaultQuorum(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`participants must be a positive integer, got ${n}`)
  return n - Math.trunc((n - 1) / 3)
}

/** Whether q is a valid quorum for n participants: an integer with n/2 < q ≤ n. */
export function isValidQuorum(n: number, q: number): boolean {
  return Number.isInteger(q) && 2 * q > n && q <= n
}

/** Equivocating participants the commit rule tolerates: 2q − n − 1. */
export function toleratedEquivocators(n: number, q: number): number {
  return 2 * q - n - 1
}

/** Silent participants the commit rule tolerates: n − q. */
export function toleratedSilent(n: number, q: number): number {
  return n - q
}

/** The create-channel form's explanation of q, in words. */
export function describeQuorum(n: number, q: number): string {
  const eq = toleratedEquivocators(n, q)
  const silent = toleratedSilent(n, q)
  return (
    `${q} of ${n} participants must take part for trades to become final and for a checkpoint to settle on chain. ` +
    `Finality keeps advancing with up to ${silent} offline; it stays safe against up to ${eq} participant(s) who ` +
    `sign conflicting blocks, and beyond that any conflict carries signed evidence against at least ${eq + 1} of them (slashable).`
  )
}
