import { formatUnits } from '../format.ts'

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

/** Who paid whom in one funding payment: "longs paid 1.5", "shorts paid 0.25", or "none". */
export function paidText(paid: bigint, decimals: number): string {
  if (paid === 0n) return 'none'
  return `${paid > 0n ? 'longs' : 'shorts'} paid ${formatUnits(paid > 0n ? paid : -paid, decimals)}`
}
