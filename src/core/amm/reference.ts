/**
 * An independent reference model of the AMM for tests (not folded, not imported by the engine): plain objects, a
 * Map of liquidity providers, and every amount found by search for the largest (or smallest) integer satisfying
 * the rule's inequality instead of the engine's closed formulas. Used to compare the engine op by op.
 */
export const REF_TIERS = [1n, 5n, 30n, 100n]
const LOCKED = 1000n

export type RefPool = { X: bigint; Y: bigint; S: bigint; lps: Map<number, { shares: bigint; vote: bigint }> }

/** The largest n in [0, hi] with ok(n), for ok monotone decreasing (true up to some point). */
export function largest(hi: bigint, ok: (n: bigint) => boolean): bigint {
  let lo = 0n
  let top = hi
  while (lo < top) {
    const mid = (lo + top + 1n) / 2n
    if (ok(mid)) lo = mid
    else top = mid - 1n
  }
  return lo
}

/** The fee as the definition says it: the lowest voted tier that at least half of the voting shares vote at or below. */
export function refFee(pool: RefPool, fallback: bigint): bigint {
  const votes = [...pool.lps.values()].sort((a, b) => (a.vote < b.vote ? -1 : a.vote > b.vote ? 1 : 0))
  const total = votes.reduce((s, v) => s + v.shares, 0n)
  if (total === 0n) return fallback
  let cum = 0n
  for (const v of votes) {
    cum += v.shares
    if (2n * cum >= total) return v.vote
  }
  throw new Error('unreachable')
}

export function refAddQuote(
  pool: RefPool,
  a: bigint,
  b: bigint,
): { base: bigint; quote: bigint; minted: bigint } {
  if (pool.S === 0n) {
    const root = largest(a > b ? a : b, (s) => s * s <= a * b)
    return { base: a, quote: b, minted: root > LOCKED ? root - LOCKED : 0n }
  }
  const s = largest(a * pool.S + 1n, (n) => n * pool.X <= a * pool.S && n * pool.Y <= b * pool.S)
  if (s === 0n) return { base: 0n, quote: 0n, minted: 0n }
  // the smallest amounts worth the shares: n with n · S ≥ s · reserve
  const need = (r: bigint) => largest(s * r + 1n, (n) => n * pool.S < s * r) + 1n
  return { base: need(pool.X), quote: need(pool.Y), minted: s }
}

export function refRemoveQuote(pool: RefPool, sh: bigint): { base: bigint; quote: bigint } {
  return {
    base: largest(pool.X, (n) => n * pool.S <= sh * pool.X),
    quote: largest(pool.Y, (n) => n * pool.S <= sh * pool.Y),
  }
}

/** The largest output keeping (X·10⁴ + in·(10⁴ − fee)) · (Y − out) ≥ X · Y · 10⁴. */
export function refSwapOut(amountIn: bigint, X: bigint, Y: bigint, fee: bigint): bigint {
  return largest(Y, (o) => (X * 10_000n + amountIn * (10_000n - fee)) * (Y - o) >= X * Y * 10_000n)
}
