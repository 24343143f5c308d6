/**
 * The canonical binary encoding of channel operations (ops.ts). Every op is a tag byte followed by a body whose
 * layout the tag fixes, so a decoded op re-encodes to exactly the bytes it came from; the decoder rejects unknown
 * tags, out-of-range enums and truncated or trailing bytes.
 */
import {
  MAX_FORCED_OP_BYTES,
  MAX_OPS_PER_BLOCK,
  type Op,
  type OrderKind,
  type Side,
  type TimeInForce,
} from './ops.ts'

/** ForcedAttest body before the op bytes: u64 forced index ‖ u16 participant ‖ u16 length. */
const FORCED_HEAD = 8 + 2 + 2
const U64_MAX = (1n << 64n) - 1n
const U128_MAX = (1n << 128n) - 1n

export class OpDecodeError extends Error {
  override name = 'OpDecodeError'
}

/** Body sizes (bytes after the tag). */
const BODY_SIZE: Record<number, number> = {
  1: 8 + 2 + 2 + 16,
  2: 2 + 16,
  3: 2 + 2 + 16,
  4: 2 + 16 + 8 + 1,
  5: 8 + 2,
  6: 20 + 8 + 8 + 65,
  7: 2,
  16: 2 + 1 + 1 + 1 + 8 + 8,
  17: 8 + 2,
  32: 8 + 32 + 8 + 8 + 8 + 32 + 32 + 65,
  33: 0,
  34: 8 + 32 + 65,
  48: 2 + 8,
  49: 2 + 1 + 1 + 1 + 1 + 8 + 8,
  50: 16,
  51: 16,
  52: 2 + 2,
  80: 2 + 16,
  81: 2 + 16,
  82: 2 + 16,
  83: 2 + 16,
  84: 2 + 2 + 2 + 16,
  88: 2 + 16 + 16 + 16 + 2,
  89: 2 + 16 + 16 + 16,
  90: 2 + 1 + 16 + 16 + 8,
  91: 2 + 2,
  92: 2 + 2 + 16,
}

export function encodedOpSize(op: Op): number {
  if (op.tag === 0x40) return 1 + FORCED_HEAD + op.op.length
  return 1 + BODY_SIZE[op.tag]!
}

export class Writer {
  o = 0
  constructor(readonly b: Uint8Array) {}
  u8(v: number) {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`u8 out of range: ${v}`)
    this.b[this.o++] = v
  }
  u16(v: number) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`u16 out of range: ${v}`)
    this.b[this.o++] = v >>> 8
    this.b[this.o++] = v & 0xff
  }
  uint(v: bigint, size: number, max: bigint) {
    if (v < 0n || v > max) throw new RangeError(`uint${size * 8} out of range: ${v}`)
    let x = v
    for (let i = size - 1; i >= 0; i--) {
      this.b[this.o + i] = Number(x & 0xffn)
      x >>= 8n
    }
    this.o += size
  }
  bytes(v: Uint8Array, size: number) {
    if (v.length !== size) throw new RangeError(`expected ${size} bytes, got ${v.length}`)
    this.b.set(v, this.o)
    this.o += size
  }
}

/**
 * The encoder accepts exactly what the decoder accepts: bytes that every peer refuses would make the author's
 * signed block, and with it every later block of its log, undeliverable.
 */
function enumValue(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`)
  return v
}

function writeOp(w: Writer, op: Op): void {
  w.u8(op.tag)
  switch (op.tag) {
    case 0x01:
      w.uint(op.depositIndex, 8, U64_MAX)
      w.u16(op.participant)
      w.u16(op.token)
      w.uint(op.amount, 16, U128_MAX)
      return
    case 0x02:
      w.u16(op.token)
      w.uint(op.amount, 16, U128_MAX)
      return
    case 0x03:
      w.u16(op.to)
      w.u16(op.token)
      w.uint(op.amount, 16, U128_MAX)
      return
    case 0x04:
      w.u16(op.token)
      w.uint(op.amount, 16, U128_MAX)
      w.uint(op.until, 8, U64_MAX)
      w.u8(op.reason)
      return
    case 0x05:
      w.uint(op.lockSeq, 8, U64_MAX)
      w.u16(op.lockIndex)
      return
    case 0x06:
      w.bytes(op.newKey, 20)
      w.uint(op.fromSeq, 8, U64_MAX)
      w.uint(op.fromVersion, 8, U64_MAX)
      w.bytes(op.signature, 65)
      return
    case 0x07:
      w.u16(op.participant)
      return
    case 0x10:
      w.u16(op.market)
      w.u8(enumValue(op.side, 1, 'side'))
      w.u8(enumValue(op.kind, 1, 'kind'))
      w.u8(enumValue(op.tif, 2, 'time-in-force'))
      w.uint(op.price, 8, U64_MAX)
      w.uint(op.qty, 8, U64_MAX)
      return
    case 0x11:
      w.uint(op.orderSeq, 8, U64_MAX)
      w.u16(op.orderIndex)
      return
    case 0x20:
      w.uint(op.version, 8, U64_MAX)
      w.bytes(op.leader, 32)
      w.uint(op.time, 8, U64_MAX)
      w.uint(op.depositCount, 8, U64_MAX)
      w.uint(op.forcedCount, 8, U64_MAX)
      w.bytes(op.stateRoot, 32)
      w.bytes(op.balancesRoot, 32)
      w.bytes(op.signature, 65)
      return
    case 0x40:
      w.uint(op.forcedIndex, 8, U64_MAX)
      w.u16(op.participant)
      if (!(op.op instanceof Uint8Array) || op.op.length === 0 || op.op.length > MAX_FORCED_OP_BYTES)
        throw new RangeError(`forced op must be 1 to ${MAX_FORCED_OP_BYTES} bytes`)
      w.u16(op.op.length)
      w.bytes(op.op, op.op.length)
      return
    case 0x21:
      return
    case 0x22:
      w.uint(op.version, 8, U64_MAX)
      w.bytes(op.checkpointDigest, 32)
      w.bytes(op.signature, 65)
      return
    case 0x30:
      w.u16(op.market)
      w.uint(op.price, 8, U64_MAX)
      return
    case 0x31:
      w.u16(op.market)
      w.u8(enumValue(op.side, 1, 'side'))
      w.u8(enumValue(op.kind, 1, 'kind'))
      w.u8(enumValue(op.tif, 2, 'time-in-force'))
      if (typeof op.reduceOnly !== 'boolean') throw new RangeError('reduceOnly must be a boolean')
      w.u8(op.reduceOnly ? 1 : 0)
      w.uint(op.price, 8, U64_MAX)
      w.uint(op.qty, 8, U64_MAX)
      return
    case 0x32:
    case 0x33:
      w.uint(op.amount, 16, U128_MAX)
      return
    case 0x34:
      w.u16(op.trader)
      w.u16(op.market)
      return
    case 0x50:
    case 0x51:
    case 0x52:
    case 0x53:
      w.u16(op.token)
      w.uint(op.amount, 16, U128_MAX)
      return
    case 0x54:
      w.u16(op.trader)
      w.u16(op.debtToken)
      w.u16(op.collateralToken)
      w.uint(op.amount, 16, U128_MAX)
      return
    case 0x58:
      w.u16(op.market)
      w.uint(op.baseMax, 16, U128_MAX)
      w.uint(op.quoteMax, 16, U128_MAX)
      w.uint(op.minShares, 16, U128_MAX)
      w.u16(op.voteBps)
      return
    case 0x59:
      w.u16(op.market)
      w.uint(op.shares, 16, U128_MAX)
      w.uint(op.minBase, 16, U128_MAX)
      w.uint(op.minQuote, 16, U128_MAX)
      return
    case 0x5a:
      w.u16(op.market)
      w.u8(enumValue(op.side, 1, 'side'))
      w.uint(op.amountIn, 16, U128_MAX)
      w.uint(op.minOut, 16, U128_MAX)
      w.uint(op.deadline, 8, U64_MAX)
      return
    case 0x5b:
      w.u16(op.market)
      w.u16(op.voteBps)
      return
    case 0x5c:
      w.u16(op.market)
      w.u16(op.to)
      w.uint(op.shares, 16, U128_MAX)
      return
  }
}

/** Encodes an op list: u16 count, then each op. Throws RangeError on any field out of range. */
export function encodeOps(ops: readonly Op[]): Uint8Array {
  if (ops.length > MAX_OPS_PER_BLOCK) throw new RangeError(`too many ops: ${ops.length}`)
  let size = 2
  for (const op of ops) size += encodedOpSize(op)
  const w = new Writer(new Uint8Array(size))
  w.u16(ops.length)
  for (const op of ops) writeOp(w, op)
  return w.b
}

function readU64(b: Uint8Array, o: number): bigint {
  const hi = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
  const lo = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0
  return (BigInt(hi) << 32n) | BigInt(lo)
}
function readU128(b: Uint8Array, o: number): bigint {
  return (readU64(b, o) << 64n) | readU64(b, o + 8)
}
const readU16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!

/**
 * Decodes an op list produced by {@link encodeOps}. Rejects (OpDecodeError) unknown tags, enum values out of
 * range, more than MAX_OPS_PER_BLOCK ops, and truncated or trailing input. Every accepted input re-encodes to the same bytes.
 */
export function decodeOps(b: Uint8Array): Op[] {
  if (b.length < 2) throw new OpDecodeError('ops: truncated count')
  const count = readU16(b, 0)
  if (count > MAX_OPS_PER_BLOCK) throw new OpDecodeError(`ops: count ${count} over limit`)
  const ops: Op[] = new Array(count)
  let o = 2
  for (let i = 0; i < count; i++) {
    const tag = b[o]
    if (tag === undefined) throw new OpDecodeError(`op ${i}: truncated`)
    const p = o + 1
    const size = tag === 0x40 ? forcedBodySize(b, p, i) : BODY_SIZE[tag]
    if (size === undefined) throw new OpDecodeError(`op ${i}: unknown tag ${tag}`)
    if (p + size > b.length) throw new OpDecodeError(`op ${i}: truncated`)
    ops[i] = readBody(b, p, tag, i)
    o = p + size
  }
  if (o !== b.length) throw new OpDecodeError(`ops: ${b.length - o} trailing bytes`)
  return ops
}

function readBody(b: Uint8Array, p: number, tag: number, i: number): Op {
  switch (tag) {
    case 0x01:
      return {
        tag,
        depositIndex: readU64(b, p),
        participant: readU16(b, p + 8),
        token: readU16(b, p + 10),
        amount: readU128(b, p + 12),
      }
    case 0x02:
      return { tag, token: readU16(b, p), amount: readU128(b, p + 2) }
    case 0x03:
      return { tag, to: readU16(b, p), token: readU16(b, p + 2), amount: readU128(b, p + 4) }
    case 0x04:
      return {
        tag,
        token: readU16(b, p),
        amount: readU128(b, p + 2),
        until: readU64(b, p + 18),
        reason: b[p + 26]!,
      }
    case 0x05:
      return { tag, lockSeq: readU64(b, p), lockIndex: readU16(b, p + 8) }
    case 0x06:
      return {
        tag,
        newKey: b.slice(p, p + 20),
        fromSeq: readU64(b, p + 20),
        fromVersion: readU64(b, p + 28),
        signature: b.slice(p + 36, p + 101),
      }
    case 0x07:
      return { tag, participant: readU16(b, p) }
    case 0x10: {
      const side = b[p + 2]!
      const kind = b[p + 3]!
      const tif = b[p + 4]!
      if (side > 1) throw new OpDecodeError(`op ${i}: side ${side}`)
      if (kind > 1) throw new OpDecodeError(`op ${i}: kind ${kind}`)
      if (tif > 2) throw new OpDecodeError(`op ${i}: time-in-force ${tif}`)
      return {
        tag,
        market: readU16(b, p),
        side: side as Side,
        kind: kind as OrderKind,
        tif: tif as TimeInForce,
        price: readU64(b, p + 5),
        qty: readU64(b, p + 13),
      }
    }
    case 0x11:
      return { tag, orderSeq: readU64(b, p), orderIndex: readU16(b, p + 8) }
    case 0x20:
      return {
        tag,
        version: readU64(b, p),
        leader: b.slice(p + 8, p + 40),
        time: readU64(b, p + 40),
        depositCount: readU64(b, p + 48),
        forcedCount: readU64(b, p + 56),
        stateRoot: b.slice(p + 64, p + 96),
        balancesRoot: b.slice(p + 96, p + 128),
        signature: b.slice(p + 128, p + 193),
      }
    case 0x21:
      return { tag }
    case 0x22:
      return {
        tag,
        version: readU64(b, p),
        checkpointDigest: b.slice(p + 8, p + 40),
        signature: b.slice(p + 40, p + 105),
      }
    case 0x40:
      return {
        tag,
        forcedIndex: readU64(b, p),
        participant: readU16(b, p + 8),
        op: b.slice(p + FORCED_HEAD, p + FORCED_HEAD + readU16(b, p + 10)),
      }
    case 0x30:
      return { tag, market: readU16(b, p), price: readU64(b, p + 2) }
    case 0x31: {
      const side = b[p + 2]!
      const kind = b[p + 3]!
      const tif = b[p + 4]!
      const reduceOnly = b[p + 5]!
      if (side > 1) throw new OpDecodeError(`op ${i}: side ${side}`)
      if (kind > 1) throw new OpDecodeError(`op ${i}: kind ${kind}`)
      if (tif > 2) throw new OpDecodeError(`op ${i}: time-in-force ${tif}`)
      if (reduceOnly > 1) throw new OpDecodeError(`op ${i}: reduce-only flag ${reduceOnly}`)
      return {
        tag,
        market: readU16(b, p),
        side: side as Side,
        kind: kind as OrderKind,
        tif: tif as TimeInForce,
        reduceOnly: reduceOnly === 1,
        price: readU64(b, p + 6),
        qty: readU64(b, p + 14),
      }
    }
    case 0x32:
    case 0x33:
      return { tag, amount: readU128(b, p) }
    case 0x34:
      return { tag, trader: readU16(b, p), market: readU16(b, p + 2) }
    case 0x50:
    case 0x51:
    case 0x52:
    case 0x53:
      return { tag, token: readU16(b, p), amount: readU128(b, p + 2) }
    case 0x54:
      return {
        tag,
        trader: readU16(b, p),
        debtToken: readU16(b, p + 2),
        collateralToken: readU16(b, p + 4),
        amount: readU128(b, p + 6),
      }
    case 0x58:
      return {
        tag,
        market: readU16(b, p),
        baseMax: readU128(b, p + 2),
        quoteMax: readU128(b, p + 18),
        minShares: readU128(b, p + 34),
        voteBps: readU16(b, p + 50),
      }
    case 0x59:
      return {
        tag,
        market: readU16(b, p),
        shares: readU128(b, p + 2),
        minBase: readU128(b, p + 18),
        minQuote: readU128(b, p + 34),
      }
    case 0x5a: {
      const side = b[p + 2]!
      if (side > 1) throw new OpDecodeError(`op ${i}: side ${side}`)
      return {
        tag,
        market: readU16(b, p),
        side: side as Side,
        amountIn: readU128(b, p + 3),
        minOut: readU128(b, p + 19),
        deadline: readU64(b, p + 35),
      }
    }
    case 0x5b:
      return { tag, market: readU16(b, p), voteBps: readU16(b, p + 2) }
    case 0x5c:
      return { tag, market: readU16(b, p), to: readU16(b, p + 2), shares: readU128(b, p + 4) }
    default:
      throw new OpDecodeError(`op ${i}: unknown tag ${tag}`)
  }
}

/** Body size of a ForcedAttest at `p` (after the tag): its length field must be 1 … MAX_FORCED_OP_BYTES. */
function forcedBodySize(b: Uint8Array, p: number, i: number): number {
  if (p + FORCED_HEAD > b.length) throw new OpDecodeError(`op ${i}: truncated`)
  const n = readU16(b, p + 10)
  if (n === 0 || n > MAX_FORCED_OP_BYTES) throw new OpDecodeError(`op ${i}: forced op of ${n} bytes`)
  return FORCED_HEAD + n
}

/** One op's bytes (tag ‖ body, no count): what a participant posts with the contract's forceInclude. */
export function encodeOp(op: Op): Uint8Array {
  return encodeOps([op]).subarray(2)
}

/**
 * Decodes the op a forced record carries: exactly one op, canonical (it re-encodes to the same bytes), no trailing
 * bytes, and neither a ForcedAttest nor a checkpoint op (Checkpoint, CheckpointRequest, Close) nor a key rotation.
 * Throws OpDecodeError.
 */
export function decodeForcedOp(bytes: Uint8Array): Op {
  if (bytes.length === 0 || bytes.length > MAX_FORCED_OP_BYTES)
    throw new OpDecodeError(`forced op of ${bytes.length} bytes`)
  const framed = new Uint8Array(bytes.length + 2)
  framed[1] = 1
  framed.set(bytes, 2)
  const op = decodeOps(framed)[0]!
  if (op.tag === 0x40 || op.tag === 0x20 || op.tag === 0x21 || op.tag === 0x22 || op.tag === 0x06)
    throw new OpDecodeError(`forced op: tag ${op.tag} cannot be forced`)
  return op
}
