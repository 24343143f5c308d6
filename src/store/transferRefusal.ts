/**
 * Why an in-channel transfer of `amount` would be refused before it is signed: more than this participant's
 * available balance in the channel (`available` undefined: nothing held). The fold would reject it anyway, after
 * it was signed and sent to every peer; saying so while typing keeps the user from a transfer that cannot happen.
 */
export function transferRefusal(
  amount: bigint,
  available: bigint | undefined,
  format: (v: bigint) => string,
): string | undefined {
  if (amount <= 0n) return 'amount must be above zero'
  const have = available ?? 0n
  if (amount > have)
    return `${format(amount)} is more than you hold in the channel (${format(have)} available)`
  return undefined
}
