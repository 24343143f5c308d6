/** Byte helpers shared by the codec, hashing and signing. All functions are pure. */

export type Hex = `0x${string}`

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** the two ASCII hex digits of every byte value */
const DIGITS = new Uint8Array(512)
for (let i = 0; i < 256; i++) {
  DIGITS[2 * i] = HEX[i]!.charCodeAt(0)
  DIGITS[2 * i + 1] = HEX[i]!.charCodeAt(1)
}
const ascii = new TextDecoder()
/** scratch space for ids and keys (≤ 64 bytes): most hex strings the replica builds are map keys */
const scratch = new Uint8Array(2 + 2 * 64)

/**
 * 0x-prefixed lowercase hex. Written as ASCII bytes and decoded once: about 2× faster than appending two digits
 * at a time, and the result is a flat string, which block ids used as map keys need (each lookup hashes it).
 */
export function toHex(bytes: Uint8Array): Hex {
  const n = bytes.length
  const out = n <= 64 ? scratch : new Uint8Array(2 + 2 * n)
  out[0] = 48 // 0
  out[1] = 120 // x
  for (let i = 0; i < n; i++) {
    const v = bytes[i]! << 1
    out[2 + 2 * i] = DIGITS[v]!
    out[3 + 2 * i] = DIGITS[v + 1]!
  }
  return ascii.decode(out.subarray(0, 2 + 2 * n)) as Hex
}

/** Parses 0x-prefixed hex; rejects odd length and non-hex characters. */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError(`invalid hex string: ${hex.slice(0, 20)}`)
  const out = new Uint8Array((hex.length - 2) / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16)
  if (expectedLength !== undefined && out.length !== expectedLength)
    throw new TypeError(`expected ${expectedLength} bytes, got ${out.length}`)
  return out
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lexicographic byte comparison: a total, locale-free order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** Big-endian unsigned integer of `size` bytes; throws when the value does not fit. */
export function uintToBytes(value: bigint, size: number): Uint8Array {
  if (value < 0n || value >> BigInt(8 * size) !== 0n)
    throw new RangeError(`value out of range for uint${8 * size}`)
  const out = new Uint8Array(size)
  let v = value
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

export function bytesToUint(bytes: Uint8Array): bigint {
  let v = 0n
  for (let i = 0; i < bytes.length; i++) v = (v << 8n) | BigInt(bytes[i]!)
  return v
}

export const ZERO32: Uint8Array = new Uint8Array(32)
