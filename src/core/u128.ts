/** The largest amount the settlement contract holds (uint128): every balance and bucket in the fold stays ≤ it. */
export const U128_MAX = (1n << 128n) - 1n
