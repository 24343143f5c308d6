import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatBytes, toHex } from './bytes.ts'
import { decodeOps, encodedOpSize, encodeOps, OpDecodeError } from './opCodec.ts'
import { type CheckpointOp, MAX_OPS_PER_BLOCK, type Op, OpTag, type PlaceOp } from './ops.ts'

const U16_MAX = 0xffff
const U64_MAX = (1n << 64n) - 1n
const U128_MAX = (1n << 128n) - 1n

const u8 = fc.integer({ min: 0, max: 0xff })
const u16 = fc.integer({ min: 0, max: U16_MAX })
// bias towards the edges of each range, where off-by-one encodings hide
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, 1n, U64_MAX, 1n << 63n))
const u128 = fc.oneof(fc.bigInt({ min: 0n, max: U128_MAX }), fc.constantFrom(0n, 1n, U128_MAX, 1n << 127n))
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })

const arbOp: Record<string, fc.Arbitrary<Op>> = {
  deposit: fc.record({
    tag: fc.constant(OpTag.Deposit),
    depositIndex: u64,
    participant: u16,
    token: u16,
    amount: u128,
  }),
  withdraw: fc.record({ tag: fc.constant(OpTag.Withdraw), token: u16, amount: u128 }),
  transfer: fc.record({ tag: fc.constant(OpTag.Transfer), to: u16, token: u16, amount: u128 }),
  lock: fc.record({ tag: fc.constant(OpTag.Lock), token: u16, amount: u128, until: u64, reason: u8 }),
  unlock: fc.record({ tag: fc.constant(OpTag.Unlock), lockSeq: u64, lockIndex: u16 }),
  place: fc.record({
    tag: fc.constant(OpTag.Place),
    market: u16,
    side: fc.constantFrom(0, 1),
    kind: fc.constantFrom(0, 1),
    tif: fc.constantFrom(0, 1, 2),
    price: u64,
    qty: u64,
  }) as fc.Arbitrary<PlaceOp>,
  cancel: fc.record({ tag: fc.constant(OpTag.Cancel), orderSeq: u64, orderIndex: u16 }),
  checkpoint: fc.record({
    tag: fc.constant(OpTag.Checkpoint),
    version: u64,
    leader: bytes(32),
    time: u64,
    depositCount: u64,
    forcedCount: u64,
    stateRoot: bytes(32),
    balancesRoot: bytes(32),
    signature: bytes(65),
  }),
  checkpointRequest: fc.constant({ tag: OpTag.CheckpointRequest }),
  close: fc.record({
    tag: fc.constant(OpTag.Close),
    version: u64,
    checkpointDigest: bytes(32),
    signature: bytes(65),
  }),
}
const anyOp = fc.oneof(...Object.values(arbOp))
const opList = fc.array(anyOp, { maxLength: 12 })

/** A valid encoding of a short random op list. */
const validEncoding = opList.map((ops) => encodeOps(ops))

/** Decoding either accepts canonical bytes or throws OpDecodeError — nothing else, ever. */
function decodeOrDecodeError(b: Uint8Array): void {
  let ops: Op[]
  try {
    ops = decodeOps(b)
  } catch (e) {
    expect(e).toBeInstanceOf(OpDecodeError)
    return
  }
  expect(toHex(encodeOps(ops))).toBe(toHex(b))
}

const place: PlaceOp = { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: 100n, qty: 5n }
const checkpoint: CheckpointOp = {
  tag: OpTag.Checkpoint,
  version: 7n,
  leader: new Uint8Array(32).fill(4),
  time: 1_700_000_000_000n,
  depositCount: 5n,
  forcedCount: 6n,
  stateRoot: new Uint8Array(32).fill(1),
  balancesRoot: new Uint8Array(32).fill(2),
  signature: new Uint8Array(65).fill(3),
}
const deposit = (depositIndex: bigint): Op => ({
  tag: OpTag.Deposit,
  depositIndex,
  participant: 1,
  token: 0,
  amount: 10n,
})
const u16be = (n: number) => new Uint8Array([n >> 8, n & 0xff])

describe('op codec round trip (THREATS row 2)', () => {
  for (const [name, arb] of Object.entries(arbOp))
    it(`${name}: decode(encode(op)) = op and re-encodes to the same bytes`, () => {
      fc.assert(
        fc.property(arb, (op) => {
          const b = encodeOps([op])
          expect(b.length).toBe(2 + encodedOpSize(op))
          const back = decodeOps(b)
          expect(back).toEqual([op])
          expect(toHex(encodeOps(back))).toBe(toHex(b))
        }),
        { numRuns: 200 },
      )
    })

  it('round-trips mixed op lists, including the empty list', () => {
    expect(decodeOps(encodeOps([]))).toEqual([])
    fc.assert(
      fc.property(opList, (ops) => {
        expect(decodeOps(encodeOps(ops))).toEqual(ops)
      }),
      { numRuns: 200 },
    )
  })

  it('accepts exactly MAX_OPS_PER_BLOCK ops', () => {
    const ops: Op[] = Array.from({ length: MAX_OPS_PER_BLOCK }, (_, i) => deposit(BigInt(i)))
    expect(decodeOps(encodeOps(ops))).toHaveLength(MAX_OPS_PER_BLOCK)
  })
})

describe('op wire layouts (fixed offsets, big-endian)', () => {
  it('deposit attestation: tag 0x01 ‖ u64 index ‖ u16 participant ‖ u16 token ‖ u128 amount', () => {
    const op: Op = {
      tag: OpTag.Deposit,
      depositIndex: 0x0102030405060708n,
      participant: 0x090a,
      token: 0x0b0c,
      amount: (1n << 127n) + 0x0dn,
    }
    const b = encodeOps([op])
    expect(encodedOpSize(op)).toBe(1 + 28)
    expect(toHex(b)).toBe(`0x0001010102030405060708090a0b0c80${'00'.repeat(14)}0d`)
    expect(decodeOps(b)).toEqual([op])
  })

  it('checkpoint: fixed 193-byte body, every field at its offset', () => {
    const b = encodeOps([checkpoint])
    expect(encodedOpSize(checkpoint)).toBe(1 + 193)
    expect(b.length).toBe(2 + 1 + 193)
    const body = b.subarray(3)
    const u64at = (o: number) => BigInt(toHex(body.subarray(o, o + 8)))
    expect(b[2]).toBe(0x20)
    expect(u64at(0)).toBe(7n)
    expect(toHex(body.subarray(8, 40))).toBe(toHex(checkpoint.leader))
    expect(u64at(40)).toBe(checkpoint.time)
    expect(u64at(48)).toBe(5n)
    expect(u64at(56)).toBe(6n)
    expect(toHex(body.subarray(64, 96))).toBe(toHex(checkpoint.stateRoot))
    expect(toHex(body.subarray(96, 128))).toBe(toHex(checkpoint.balancesRoot))
    expect(toHex(body.subarray(128, 193))).toBe(toHex(checkpoint.signature))
    expect(decodeOps(b)).toEqual([checkpoint])
  })

  it('checkpoint request: tag 0x21 with an empty body', () => {
    const b = encodeOps([{ tag: OpTag.CheckpointRequest }])
    expect(toHex(b)).toBe('0x000121')
    expect(decodeOps(b)).toEqual([{ tag: OpTag.CheckpointRequest }])
    expect(
      decodeOps(encodeOps([{ tag: OpTag.CheckpointRequest }, { tag: OpTag.CheckpointRequest }])),
    ).toEqual([{ tag: OpTag.CheckpointRequest }, { tag: OpTag.CheckpointRequest }])
    // a request followed by a stray byte is trailing data, not a body
    expect(() => decodeOps(concatBytes(b, new Uint8Array([0])))).toThrow(OpDecodeError)
  })
})

describe('op decoder rejects non-canonical input (THREATS row 2)', () => {
  const valid = new Set<number>(Object.values(OpTag))

  it('rejects every unknown tag', () => {
    for (let tag = 0; tag < 256; tag++) {
      if (valid.has(tag)) continue
      // plenty of body bytes, so the only thing wrong is the tag
      const b = concatBytes(u16be(1), new Uint8Array([tag]), new Uint8Array(300))
      expect(() => decodeOps(b), `tag ${tag}`).toThrow(OpDecodeError)
      expect(() => decodeOps(b)).toThrow(/unknown tag/)
    }
  })

  it.each([
    ['side', 3, 1],
    ['kind', 4, 1],
    ['time-in-force', 5, 2],
  ])('rejects %s values out of range', (name, offset, max) => {
    // layout: count[2] tag[1] market[2] side kind tif price[8] qty[8]
    const good = encodeOps([place])
    for (let v = 0; v < 256; v++) {
      const b = good.slice()
      b[2 + offset] = v
      if (v <= max) expect(decodeOps(b)[0]).toMatchObject({ [name === 'time-in-force' ? 'tif' : name]: v })
      else expect(() => decodeOps(b), `${name}=${v}`).toThrow(new RegExp(name))
    }
  })

  it('rejects every strict prefix of a valid encoding (truncation)', () => {
    fc.assert(
      fc.property(
        opList.filter((ops) => ops.length > 0),
        (ops) => {
          const b = encodeOps(ops)
          for (let n = 0; n < b.length; n++) expect(() => decodeOps(b.subarray(0, n))).toThrow(OpDecodeError)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('rejects trailing bytes', () => {
    fc.assert(
      fc.property(validEncoding, fc.uint8Array({ minLength: 1, maxLength: 40 }), (b, extra) => {
        expect(() => decodeOps(concatBytes(b, extra))).toThrow(OpDecodeError)
      }),
      { numRuns: 200 },
    )
  })

  it('rejects an op count over MAX_OPS_PER_BLOCK before reading the ops', () => {
    for (const count of [MAX_OPS_PER_BLOCK + 1, U16_MAX]) {
      // even when enough well-formed deposit ops follow
      const size = encodedOpSize(deposit(0n))
      const body = new Uint8Array(size * count)
      for (let i = 0; i < count; i++) body[size * i] = OpTag.Deposit
      expect(() => decodeOps(concatBytes(u16be(count), body))).toThrow(/over limit/)
    }
  })

  it('rejects a checkpoint body one byte short, even when the next op would fill it', () => {
    const good = encodeOps([checkpoint, { tag: OpTag.CheckpointRequest }])
    expect(decodeOps(good)).toHaveLength(2)
    // drop the last signature byte: the request tag would be read as the signature and nothing follows
    const short = concatBytes(good.subarray(0, good.length - 2), good.subarray(good.length - 1))
    expect(() => decodeOps(short)).toThrow(OpDecodeError)
  })

  it('rejects input shorter than the count', () => {
    expect(() => decodeOps(new Uint8Array())).toThrow(OpDecodeError)
    expect(() => decodeOps(new Uint8Array([0]))).toThrow(OpDecodeError)
  })
})

describe('op encoder range checks (THREATS row 15)', () => {
  const bad: [string, Op][] = [
    ['u128 amount = 2^128', { tag: OpTag.Withdraw, token: 0, amount: U128_MAX + 1n }],
    ['negative amount', { tag: OpTag.Transfer, to: 1, token: 0, amount: -1n }],
    ['lock amount = 2^128', { tag: OpTag.Lock, token: 0, amount: U128_MAX + 1n, until: 0n, reason: 0 }],
    ['u64 deposit index = 2^64', { ...deposit(0n), depositIndex: U64_MAX + 1n } as Op],
    ['negative deposit index', deposit(-1n)],
    ['deposit amount = 2^128', { ...deposit(0n), amount: U128_MAX + 1n } as Op],
    ['negative deposit amount', { ...deposit(0n), amount: -1n } as Op],
    ['u16 deposit participant = 65536', { ...deposit(0n), participant: U16_MAX + 1 } as Op],
    ['u16 deposit token negative', { ...deposit(0n), token: -1 } as Op],
    ['u64 until = 2^64', { tag: OpTag.Lock, token: 0, amount: 1n, until: U64_MAX + 1n, reason: 0 }],
    ['u64 price = 2^64', { ...place, price: U64_MAX + 1n }],
    ['u64 qty = 2^64', { ...place, qty: U64_MAX + 1n }],
    ['negative price', { ...place, price: -1n }],
    ['u64 order seq = 2^64', { tag: OpTag.Cancel, orderSeq: U64_MAX + 1n, orderIndex: 0 }],
    ['u64 lock seq negative', { tag: OpTag.Unlock, lockSeq: -1n, lockIndex: 0 }],
    ['u16 token = 65536', { tag: OpTag.Withdraw, token: U16_MAX + 1, amount: 1n }],
    ['u16 recipient negative', { tag: OpTag.Transfer, to: -1, token: 0, amount: 1n }],
    ['u16 market fractional', { ...place, market: 0.5 }],
    ['u16 order index = 65536', { tag: OpTag.Cancel, orderSeq: 1n, orderIndex: U16_MAX + 1 }],
    ['u8 lock reason = 256', { tag: OpTag.Lock, token: 0, amount: 1n, until: 0n, reason: 256 }],
    ['u64 checkpoint version = 2^64', { ...checkpoint, version: U64_MAX + 1n }],
    ['u64 checkpoint time = 2^64', { ...checkpoint, time: U64_MAX + 1n }],
    ['negative checkpoint time', { ...checkpoint, time: -1n }],
    ['u64 checkpoint deposit count = 2^64', { ...checkpoint, depositCount: U64_MAX + 1n }],
    ['u64 checkpoint forced count = 2^64', { ...checkpoint, forcedCount: U64_MAX + 1n }],
    ['short signature', { ...checkpoint, signature: new Uint8Array(64) }],
    ['long signature', { ...checkpoint, signature: new Uint8Array(66) }],
    ['short state root', { ...checkpoint, stateRoot: new Uint8Array(31) }],
    ['short balances root', { ...checkpoint, balancesRoot: new Uint8Array(31) }],
    ['short leader', { ...checkpoint, leader: new Uint8Array(31) }],
    ['long leader', { ...checkpoint, leader: new Uint8Array(33) }],
    // the encoder must not produce bytes that every peer's decoder refuses (the block would be lost)
    ['side = 2', { ...place, side: 2 } as unknown as Op],
    ['kind = 2', { ...place, kind: 2 } as unknown as Op],
    ['time-in-force = 3', { ...place, tif: 3 } as unknown as Op],
  ]
  it.each(bad)('throws RangeError on %s', (_, op) => {
    expect(() => encodeOps([op])).toThrow(RangeError)
  })

  it('throws RangeError on more than MAX_OPS_PER_BLOCK ops', () => {
    const ops: Op[] = Array.from({ length: MAX_OPS_PER_BLOCK + 1 }, () => deposit(0n))
    expect(() => encodeOps(ops)).toThrow(RangeError)
  })

  it('encodes exactly what decodes: loose ops either throw RangeError or round-trip', () => {
    // values straddling every field's range, enums included
    const loose = fc.record({
      market: fc.integer({ min: -1, max: U16_MAX + 1 }),
      side: fc.integer({ min: 0, max: 3 }),
      kind: fc.integer({ min: 0, max: 3 }),
      tif: fc.integer({ min: 0, max: 4 }),
      price: fc.bigInt({ min: -1n, max: U64_MAX + 1n }),
      qty: fc.constantFrom(-1n, 0n, 1n, U64_MAX, U64_MAX + 1n),
    })
    fc.assert(
      fc.property(loose, (fields) => {
        const op = { tag: OpTag.Place, ...fields } as unknown as Op
        let b: Uint8Array
        try {
          b = encodeOps([op])
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError)
          return
        }
        expect(decodeOps(b)).toEqual([op])
      }),
      { numRuns: 300 },
    )
  })
})

describe('op decoder fuzz (THREATS row 2)', () => {
  it('random bytes: only OpDecodeError, and anything accepted is canonical', () => {
    // a plausible count prefix makes the decoder go deeper than the count check
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc
        .tuple(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 300 }))
        .map(([n, rest]) => concatBytes(u16be(n), rest)),
    )
    fc.assert(fc.property(input, decodeOrDecodeError), { numRuns: 1000 })
  })

  it('mutations of valid encodings (bit flips, byte writes, truncation, extension)', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('write' as const), at: fc.nat(), value: u8 }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('extend' as const),
        extra: fc.uint8Array({ minLength: 1, maxLength: 200 }),
      }),
    )
    fc.assert(
      fc.property(validEncoding, fc.array(mutation, { minLength: 1, maxLength: 4 }), (valid, mutations) => {
        let b: Uint8Array = valid.slice()
        for (const m of mutations) {
          if (m.kind === 'extend') b = concatBytes(b, m.extra)
          else if (b.length === 0) continue
          else if (m.kind === 'truncate') b = b.slice(0, m.at % b.length)
          else if (m.kind === 'flip') b[m.at % b.length]! ^= 1 << m.bit
          else b[m.at % b.length] = m.value
        }
        decodeOrDecodeError(b)
      }),
      { numRuns: 1000 },
    )
  })
})
