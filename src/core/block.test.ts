import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BLOCK_FORMAT,
  type Block,
  BlockDecodeError,
  blockId,
  createBlock,
  decodeBlock,
  encodeBlock,
  MAX_BLOCK_BYTES,
  MAX_PARENTS,
} from './block.ts'
import { compareBytes, concatBytes, fromHex, toHex, uintToBytes, ZERO32 } from './bytes.ts'
import { encodeOps, MAX_CHECKPOINT_HEADS, type Op, OpTag } from './ops.ts'
import { addressFromPrivateKey, recoverAddress } from './signature.ts'
import { makeTestChannel } from './testing.ts'

const { channel, members } = makeTestChannel({ participants: 3, label: 'block-codec' })
const author = members[0]!
const authorBytes = fromHex(author.address, 20)
const hash = (b: number) => new Uint8Array(32).fill(b)
const someOps: Op[] = [
  { tag: OpTag.Deposit, depositIndex: 0n },
  { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: 100n, qty: 3n },
]

/** The wire layout written out field by field, independently of encodeBlock, so any field can be made wrong. */
type Raw = {
  format: number
  channelId: Uint8Array
  author: Uint8Array
  seq: bigint
  prev: Uint8Array
  parents: Uint8Array[]
  nParents?: number
  opsBytes: Uint8Array
  opsLength?: number
  signature: Uint8Array
}
function raw(r: Raw): Uint8Array {
  return concatBytes(
    new Uint8Array([r.format]),
    r.channelId,
    r.author,
    uintToBytes(r.seq, 8),
    r.prev,
    uintToBytes(BigInt(r.nParents ?? r.parents.length), 2),
    ...r.parents,
    uintToBytes(BigInt(r.opsLength ?? r.opsBytes.length), 4),
    r.opsBytes,
    r.signature,
  )
}
const good = (over: Partial<Raw> = {}): Raw => ({
  format: BLOCK_FORMAT,
  channelId: channel.channelId,
  author: authorBytes,
  seq: 2n,
  prev: hash(9),
  parents: [hash(1), hash(2)],
  opsBytes: encodeOps(someOps),
  signature: new Uint8Array(65).fill(7),
  ...over,
})

function make(seq: bigint, parents: Uint8Array[], ops: Op[] = someOps) {
  return createBlock({
    channelId: channel.channelId,
    author: authorBytes,
    seq,
    prev: seq === 1n ? ZERO32 : hash(9),
    parents,
    ops,
    sessionKey: author.sessionKey,
    domainSeparator: channel.domainSeparator,
  })
}

function decodeOrBlockError(b: Uint8Array): void {
  let block: Block
  try {
    block = decodeBlock(b)
  } catch (e) {
    expect(e).toBeInstanceOf(BlockDecodeError)
    return
  }
  expect(toHex(encodeBlock(block))).toBe(toHex(b))
}

describe('block codec round trip (THREATS row 2)', () => {
  it('the reference layout matches encodeBlock', () => {
    const r = good()
    const block = decodeBlock(raw(r))
    expect(toHex(encodeBlock(block))).toBe(toHex(raw(r)))
    expect(block.seq).toBe(2n)
    expect(block.parents).toEqual(r.parents)
    expect(block.ops).toEqual(someOps)
  })

  it('createBlock: canonical parents, signed id, bytes that decode back to the block', () => {
    const arbParents = fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 6 })
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1000n }), arbParents, (seq, parents) => {
        const { block, id, bytes } = make(seq, [...parents, ...parents])
        const unique = [...new Set(parents.map(toHex))].sort()
        expect(block.parents.map(toHex)).toEqual(unique)
        const back = decodeBlock(bytes)
        const { channelId, author: a, seq: q, prev, parents: ps, opsBytes, ops, signature } = block
        expect(back).toEqual({ channelId, author: a, seq: q, prev, parents: ps, opsBytes, ops, signature })
        expect(toHex(encodeBlock(back))).toBe(toHex(bytes))
        expect(toHex(blockId(back, channel.domainSeparator))).toBe(toHex(id))
        expect(recoverAddress(id, back.signature)).toBe(addressFromPrivateKey(author.sessionKey))
      }),
      { numRuns: 50 },
    )
  })

  it('the block id covers every header field', () => {
    const { block, id } = make(2n, [hash(1)])
    const variants: Block[] = [
      { ...block, channelId: hash(5) },
      { ...block, author: fromHex(members[1]!.address, 20) },
      { ...block, seq: 3n },
      { ...block, prev: hash(8) },
      { ...block, parents: [hash(2)] },
      { ...block, parents: [] },
      { ...block, opsBytes: encodeOps([]) },
    ]
    const ids = new Set([toHex(id), ...variants.map((b) => toHex(blockId(b, channel.domainSeparator)))])
    expect(ids.size).toBe(variants.length + 1)
  })
})

describe('block decoder rejects non-canonical input (THREATS rows 2, 5)', () => {
  it('checks the size limit before anything else', () => {
    // garbage that is wrong in every other way still gets the size error, without being parsed
    const huge = new Uint8Array(MAX_BLOCK_BYTES + 1).fill(0xff)
    expect(() => decodeBlock(huge)).toThrow(BlockDecodeError)
    expect(() => decodeBlock(huge)).toThrow(/over limit/)
    const t0 = performance.now()
    for (let i = 0; i < 50; i++)
      expect(() => decodeBlock(new Uint8Array(16 * MAX_BLOCK_BYTES))).toThrow(/over limit/)
    expect(performance.now() - t0).toBeLessThan(1000)
  })

  it('accepts a block of exactly MAX_BLOCK_BYTES and rejects an otherwise valid one just over it', () => {
    // fill the ops with full checkpoints, then tune the size with deposits and one smaller checkpoint
    const fixed = 1 + 32 + 20 + 8 + 32 + 2 + 4 + 65
    const opsTarget = MAX_BLOCK_BYTES - fixed - 2
    const cp = (heads: number): Op => ({
      tag: OpTag.Checkpoint,
      version: 1n,
      heads: Array.from({ length: heads }, (_, i) => uintToBytes(BigInt(i + 1), 32)),
      stateRoot: hash(1),
      balancesRoot: hash(2),
      signature: new Uint8Array(65),
    })
    const full = 1 + 8 + 2 + 32 * MAX_CHECKPOINT_HEADS + 64 + 65
    const nFull = Math.floor(opsTarget / full) - 1
    let rest = opsTarget - nFull * full
    let h = 1
    while ((rest - (1 + 8 + 2 + 32 * h + 64 + 65)) % 9 !== 0) h++
    rest -= 1 + 8 + 2 + 32 * h + 64 + 65
    const ops: Op[] = [
      ...Array.from({ length: nFull }, () => cp(MAX_CHECKPOINT_HEADS)),
      cp(h),
      ...Array.from({ length: rest / 9 }, (_, i) => ({ tag: OpTag.Deposit, depositIndex: BigInt(i) }) as Op),
    ]
    const atLimit = raw(good({ parents: [], opsBytes: encodeOps(ops) }))
    expect(atLimit.length).toBe(MAX_BLOCK_BYTES)
    expect(decodeBlock(atLimit).ops).toHaveLength(ops.length)
    const over = raw(
      good({ parents: [], opsBytes: encodeOps([...ops, { tag: OpTag.Deposit, depositIndex: 0n }]) }),
    )
    expect(() => decodeBlock(over)).toThrow(/over limit/)
  })

  it('rejects an unknown format byte', () => {
    for (const format of [0, 2, 0xff]) expect(() => decodeBlock(raw(good({ format })))).toThrow(/format/)
  })

  it('rejects seq 0', () => {
    expect(() => decodeBlock(raw(good({ seq: 0n, prev: ZERO32 })))).toThrow(/seq/)
    expect(() => decodeBlock(raw(good({ seq: 0n })))).toThrow(BlockDecodeError)
  })

  it('requires prev = 0 exactly at seq 1', () => {
    expect(decodeBlock(raw(good({ seq: 1n, prev: ZERO32 }))).seq).toBe(1n)
    expect(() => decodeBlock(raw(good({ seq: 1n, prev: hash(9) })))).toThrow(/prev/)
    expect(() => decodeBlock(raw(good({ seq: 2n, prev: ZERO32 })))).toThrow(/prev/)
    const oneBit = new Uint8Array(32)
    oneBit[31] = 1
    expect(() => decodeBlock(raw(good({ seq: 1n, prev: oneBit })))).toThrow(/prev/)
  })

  it('requires parents strictly ascending', () => {
    expect(() => decodeBlock(raw(good({ parents: [hash(2), hash(1)] })))).toThrow(/ascending/)
    expect(() => decodeBlock(raw(good({ parents: [hash(1), hash(1)] })))).toThrow(/ascending/)
    expect(() => decodeBlock(raw(good({ parents: [hash(1), hash(3), hash(2)] })))).toThrow(/ascending/)
    expect(decodeBlock(raw(good({ parents: [hash(1), hash(2), hash(3)] }))).parents).toHaveLength(3)
  })

  it('rejects more than MAX_PARENTS parents', () => {
    const parents = Array.from({ length: MAX_PARENTS + 1 }, (_, i) => uintToBytes(BigInt(i + 1), 32))
    expect(() => decodeBlock(raw(good({ parents })))).toThrow(/parents over limit/)
    expect(decodeBlock(raw(good({ parents: parents.slice(1) }))).parents).toHaveLength(MAX_PARENTS)
  })

  it('rejects a parent count or ops length that disagrees with the bytes', () => {
    expect(() => decodeBlock(raw(good({ nParents: 3 })))).toThrow(BlockDecodeError)
    expect(() => decodeBlock(raw(good({ nParents: 1 })))).toThrow(BlockDecodeError)
    expect(() => decodeBlock(raw(good({ nParents: 0xffff })))).toThrow(BlockDecodeError)
    const n = encodeOps(someOps).length
    for (const opsLength of [0, n - 1, n + 1, 0xffffffff])
      expect(() => decodeBlock(raw(good({ opsLength })))).toThrow(BlockDecodeError)
  })

  it('reports a bad op list as BlockDecodeError', () => {
    const opsBytes = encodeOps(someOps)
    const badTag = opsBytes.slice()
    badTag[2] = 0x7f
    expect(() => decodeBlock(raw(good({ opsBytes: badTag })))).toThrow(BlockDecodeError)
    expect(() => decodeBlock(raw(good({ opsBytes: concatBytes(opsBytes, new Uint8Array(1)) })))).toThrow(
      BlockDecodeError,
    )
  })

  it('rejects every strict prefix and any trailing bytes', () => {
    const b = make(3n, [hash(4)]).bytes
    for (let n = 0; n < b.length; n++) expect(() => decodeBlock(b.subarray(0, n))).toThrow(BlockDecodeError)
    expect(() => decodeBlock(concatBytes(b, new Uint8Array(1)))).toThrow(BlockDecodeError)
  })

  it('decodes from a view into a larger buffer (byteOffset ≠ 0)', () => {
    const b = make(2n, [hash(4)]).bytes
    const padded = concatBytes(new Uint8Array(7).fill(1), b, new Uint8Array(5).fill(2))
    const view = padded.subarray(7, 7 + b.length)
    expect(toHex(encodeBlock(decodeBlock(view)))).toBe(toHex(b))
  })
})

describe('block decoder fuzz (THREATS row 2)', () => {
  const valid = fc
    .tuple(
      fc.bigInt({ min: 1n, max: 5n }),
      fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 3 }),
      fc.constantFrom<Op[]>([], someOps, [{ tag: OpTag.Withdraw, token: 1, amount: 5n }]),
    )
    .map(([seq, parents, ops]) => make(seq, parents.sort(compareBytes), ops).bytes)

  it('random bytes: only BlockDecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), decodeOrBlockError), { numRuns: 300 })
  })

  it('mutated valid blocks: only BlockDecodeError, and anything accepted is canonical', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({
        kind: fc.constant('write' as const),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('extend' as const),
        extra: fc.uint8Array({ minLength: 1, maxLength: 70 }),
      }),
    )
    fc.assert(
      fc.property(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }), (bytes, mutations) => {
        let b: Uint8Array = bytes.slice()
        for (const m of mutations) {
          if (m.kind === 'extend') b = concatBytes(b, m.extra)
          else if (m.kind === 'truncate') b = b.slice(0, m.at % b.length)
          else if (m.kind === 'flip') b[m.at % b.length]! ^= 1 << m.bit
          else b[m.at % b.length] = m.value
          if (b.length === 0) break
        }
        decodeOrBlockError(b)
      }),
      { numRuns: 500 },
    )
  })
})

describe('block encoder guards', () => {
  const { block } = make(1n, [])

  it('never returns the session key with the block', () => {
    expect(Object.keys(block).sort()).toEqual([
      'author',
      'channelId',
      'ops',
      'opsBytes',
      'parents',
      'prev',
      'seq',
      'signature',
    ])
  })

  it('refuses seq outside [1, 2^64) instead of wrapping it', () => {
    expect(() => encodeBlock({ ...block, seq: (1n << 64n) + 1n })).toThrow(RangeError)
    expect(() => encodeBlock({ ...block, seq: 0n })).toThrow(RangeError)
    expect(() => encodeBlock({ ...block, seq: -1n })).toThrow(RangeError)
  })

  it('refuses fields of the wrong length', () => {
    expect(() => encodeBlock({ ...block, author: new Uint8Array(19) })).toThrow(/author/)
    expect(() => encodeBlock({ ...block, signature: new Uint8Array(64) })).toThrow(/signature/)
    expect(() => encodeBlock({ ...block, parents: [new Uint8Array(31)] })).toThrow(/parents/)
  })
})
