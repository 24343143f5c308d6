/** Integer helpers for the pools: non-negative bigints only, every rounding direction named. */

/** ⌊√n⌋ for n ≥ 0 (Newton's iteration on bigints, starting above the root). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('isqrt of a negative number')
  if (n < 2n) return n
  let x = 1n << (BigInt(n.toString(2).length + 1) >> 1n)
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

/** ⌈a / b⌉ for a ≥ 0, b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b
}

export const BPS = 10_000n

/**
 * Output of an exact-in swap against reserves (reserveIn, reserveOut) at fee `feeBps` (Uniswap v2's formula):
 * ⌊in·(10⁴ − fee)·reserveOut / (reserveIn·10⁴ + in·(10⁴ − fee))⌋. Always < reserveOut, and (reserveIn + in) ·
 * (reserveOut − out) ≥ reserveIn · reserveOut: the fee and the rounding stay in the pool.
 */
export function swapOutput(amountIn: bigint, reserveIn: bigint, reserveOut: bigint, feeBps: bigint): bigint {
  const inWithFee = amountIn * (BPS - feeBps)
  return (inWithFee * reserveOut) / (reserveIn * BPS + inWithFee)
}
