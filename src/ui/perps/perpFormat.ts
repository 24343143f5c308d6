/** 250 → "2.50×"; undefined → "—" (no position, or no equity). */
export function leverageText(x100: bigint | undefined): string {
  if (x100 === undefined) return '—'
  return `${x100 / 100n}.${(x100 % 100n).toString().padStart(2, '0')}×`
}

/** bps → "12.34%" (truncated); undefined → "—". */
export function ratioText(bps: bigint | undefined): string {
  if (bps === undefined) return '—'
  const neg = bps < 0n
  const v = neg ? -bps : bps
  return `${neg ? '-' : ''}${v / 100n}.${(v % 100n).toString().padStart(2, '0')}%`
}
