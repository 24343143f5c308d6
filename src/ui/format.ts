import type { Market } from '../core/channel.ts'

export type TokenInfo = { address: `0x${string}`; symbol: string; decimals: number }

/** bigint base units → decimal string with at most `maxFraction` digits (truncated, never rounded up). */
export function formatUnits(value: bigint, decimals: number, maxFraction = decimals): string {
  const neg = value < 0n
  const v = neg ? -value : value
  const base = 10n ** BigInt(decimals)
  const whole = v / base
  let frac = (v % base).toString().padStart(decimals, '0').slice(0, maxFraction)
  frac = frac.replace(/0+$/, '')
  const w = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${neg ? '-' : ''}${w}${frac ? `.${frac}` : ''}`
}

export class AmountError extends Error {
  override name = 'AmountError'
}

/**
 * Decimal string → bigint base units; rejects signs, exponents, too many decimals and empty input. A comma is taken
 * only as a thousands separator (`50,000`, as amounts are shown); any other comma is refused, since `1,5` read
 * as 15 would be ten times what a user writing a decimal comma meant.
 */
export function parseUnits(text: string, decimals: number): bigint {
  const trimmed = text.trim()
  if (trimmed.startsWith('-')) throw new AmountError('must not be negative')
  if (trimmed.includes(',') && !/^[1-9]\d{0,2}(,\d{3})+(\.\d*)?$/.test(trimmed))
    throw new AmountError('use a decimal point, not a comma (1.5); commas only between thousands (50,000)')
  const t = trimmed.replace(/,/g, '')
  if (!/^\d*(\.\d*)?$/.test(t) || t === '' || t === '.') throw new AmountError('enter a number')
  const [w = '', f = ''] = t.split('.')
  if (f.length > decimals) throw new AmountError(`at most ${decimals} decimals`)
  return (
    BigInt(w || '0') * 10n ** BigInt(decimals) + BigInt((f + '0'.repeat(decimals)).slice(0, decimals) || '0')
  )
}

/** Quote units per whole base token for a price in ticks. */
export function tickToQuotePerBase(ticks: bigint, m: Market, base: TokenInfo): bigint {
  return (ticks * m.tickSize * 10n ** BigInt(base.decimals)) / m.lotSize
}

export function formatPrice(ticks: bigint, m: Market, base: TokenInfo, quote: TokenInfo): string {
  return formatUnits(tickToQuotePerBase(ticks, m, base), quote.decimals, priceDecimals(m, base, quote))
}

/** Decimals needed to show one tick as a price in quote per base. */
export function priceDecimals(m: Market, base: TokenInfo, quote: TokenInfo): number {
  const oneTick = tickToQuotePerBase(1n, m, base)
  let d = quote.decimals
  let step = 10n
  while (d > 0 && oneTick % step === 0n) {
    d--
    step *= 10n
  }
  return d
}

/** A price typed by the user (quote per base) → ticks; throws AmountError unless it is a whole number of ticks. */
export function parsePrice(text: string, m: Market, base: TokenInfo, quote: TokenInfo): bigint {
  const perBase = parseUnits(text, quote.decimals)
  const perLot = perBase * m.lotSize
  const unit = m.tickSize * 10n ** BigInt(base.decimals)
  if (perLot % unit !== 0n)
    throw new AmountError(`price must be a multiple of ${formatPrice(1n, m, base, quote)}`)
  const ticks = perLot / unit
  if (ticks <= 0n) throw new AmountError('price must be above zero')
  return ticks
}

/** A base amount typed by the user → lots; throws AmountError unless it is a whole number of lots. */
export function parseQty(text: string, m: Market, base: TokenInfo): bigint {
  const units = parseUnits(text, base.decimals)
  if (units % m.lotSize !== 0n)
    throw new AmountError(`amount must be a multiple of ${formatUnits(m.lotSize, base.decimals)}`)
  const lots = units / m.lotSize
  if (lots <= 0n) throw new AmountError('amount must be above zero')
  return lots
}

export function formatQty(lots: bigint, m: Market, base: TokenInfo): string {
  return formatUnits(lots * m.lotSize, base.decimals, 6)
}

/** An order key "author:seq:index" as people read it: "B #12.0" (the author's name, block seq, op index). */
export function orderLabel(key: string, names: readonly string[]): string {
  const [author, seq, index] = key.split(':')
  const name = names[Number(author)] ?? `#${author}`
  return seq === undefined ? key : `${name} #${seq}.${index ?? 0}`
}

/**
 * A whole-number field as typed: the text is never rewritten ("abc-5" stays "abc-5"); anything but digits, or a
 * number outside `limits`, is refused with a message naming the field (and the limit).
 */
export function wholeNumberError(
  label: string,
  text: string,
  limits: { min?: bigint; max?: bigint; unit?: string } = {},
): string | undefined {
  const t = text.trim()
  if (t === '') return `${label}: enter a whole number`
  if (!/^\d+$/.test(t)) return `${label}: "${text}" is not a whole number (digits only)`
  const unit = limits.unit ? ` ${limits.unit}` : ''
  if (limits.min !== undefined && BigInt(t) < limits.min)
    return `${label}: at least ${formatUnits(limits.min, 0)}${unit}`
  if (limits.max !== undefined && BigInt(t) > limits.max)
    return `${label}: at most ${formatUnits(limits.max, 0)}${unit}`
  return undefined
}

/** Hundredths of a basis point as a percent with two decimals, rounded half up: 1667 → "0.17%". */
export function formatCentiBpsAsPercent(centiBps: bigint): string {
  const hundredths = (centiBps + 50n) / 100n
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}%`
}
