/**
 * The byte writer and reader of the snapshot codec: big-endian fixed-width integers, signed ones in two's
 * complement, length-prefixed strings and bytes. The reader checks every length against what is left and throws
 * SnapshotDecodeError, so a truncated or padded snapshot never decodes.
 */
export class SnapshotDecodeError extends Error {
  override name = 'SnapshotDecodeError'
}

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })

export class Writer {
  private buf = new Uint8Array(4096)
  private n = 0

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.n + k) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.n))
    this.buf = next
  }

  /** An unsigned integer of `size` bytes; throws when it does not fit. */
  uint(v: bigint, size: number): void {
    if (v < 0n || v >> BigInt(8 * size) !== 0n) throw new RangeError(`value out of range for uint${8 * size}`)
    this.room(size)
    let x = v
    for (let i = size - 1; i >= 0; i--) {
      this.buf[this.n + i] = Number(x & 0xffn)
      x >>= 8n
    }
    this.n += size
  }

  /** A signed integer of `size` bytes (two's complement); throws when it does not fit. */
  int(v: bigint, size: number): void {
    const bits = BigInt(8 * size)
    if (BigInt.asIntN(Number(bits), v) !== v) throw new RangeError(`value out of range for int${8 * size}`)
    this.uint(BigInt.asUintN(Number(bits), v), size)
  }

  /** A small unsigned integer (number) of `size` ≤ 6 bytes. */
  num(v: number, size: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not a non-negative integer: ${v}`)
    this.uint(BigInt(v), size)
  }

  /** An optional unsigned value: 0 for undefined, v + 1 otherwise. */
  opt(v: bigint | undefined, size: number): void {
    this.uint(v === undefined ? 0n : v + 1n, size)
  }

  bytes(b: Uint8Array): void {
    this.room(b.length)
    this.buf.set(b, this.n)
    this.n += b.length
  }

  /** u32 length ‖ bytes */
  blob(b: Uint8Array): void {
    this.num(b.length, 4)
    this.bytes(b)
  }

  /** u16 length ‖ UTF-8 */
  str(s: string): void {
    const b = enc.encode(s)
    this.num(b.length, 2)
    this.bytes(b)
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.n)
  }
}

export class Reader {
  private o = 0

  constructor(private readonly b: Uint8Array) {}

  private take(k: number): Uint8Array {
    if (this.o + k > this.b.length) throw new SnapshotDecodeError('truncated snapshot')
    const out = this.b.subarray(this.o, this.o + k)
    this.o += k
    return out
  }

  uint(size: number): bigint {
    const s = this.take(size)
    let v = 0n
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(s[i]!)
    return v
  }

  int(size: number): bigint {
    return BigInt.asIntN(8 * size, this.uint(size))
  }

  num(size: number): number {
    return Number(this.uint(size))
  }

  opt(size: number): bigint | undefined {
    const v = this.uint(size)
    return v === 0n ? undefined : v - 1n
  }

  bytes(k: number): Uint8Array {
    return this.take(k).slice()
  }

  blob(): Uint8Array {
    return this.bytes(this.num(4))
  }

  str(): string {
    try {
      return dec.decode(this.take(this.num(2)))
    } catch (e) {
      if (e instanceof SnapshotDecodeError) throw e
      throw new SnapshotDecodeError('invalid UTF-8 in snapshot')
    }
  }

  /** Throws unless `v` holds; the codec's structural checks. */
  check(ok: boolean, what: string): void {
    if (!ok) throw new SnapshotDecodeError(what)
  }

  end(): void {
    if (this.o !== this.b.length) throw new SnapshotDecodeError('trailing bytes after the snapshot')
  }
}
