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
  MAX_ROUND,
} from './block.ts'
import { compareBytes, concatBytes, fromHex, toHex, uintToBytes, ZERO32 } from './bytes.ts'
import { encodedOpSize, encodeOps } from './opCodec.ts'
import { type CheckpointOp, MAX_CHECKPOINT_OPS_PER_BLOCK, MAX_OPS_PER_BLOCK, type Op, OpTag } from './ops.ts'
import { addressFromPrivateKey, recoverAddress } from './signature.ts'
import { makeTestChannel } from './testing.ts'

const { channel, members } = makeTestChannel({ participants: 3, label: 'block-codec' })
const author = members[0]!
const authorBytes = fromHex(author.address, 20)
const hash = (b: number) => new Uint8Array(32).fill(b)
const deposit = (i: number): Op => ({
  tag: OpTag.Deposit,
  depositIndex: BigInt(i),
  participant: 1,
  token: 0,
  amount: 5n,
})
const checkpointOp = (version: bigint): CheckpointOp => ({
  tag: OpTag.Checkpoint,
  version,
  leader: hash(3),
  time: 1000n,
  depositCount: 2n,
  forcedCount: 0n,
  stateRoot: hash(1),
  balancesRoot: hash(2),
  signature: new Uint8Array(65),
})
const someOps: Op[] = [
  deposit(0),
  { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: 100n, qty: 3n },
]

/** The wire layout written out field by field, independently of encodeBlock, so any field can be made wrong. */
type Raw = {
  format: number
  channelId: Uint8Array
  author: Uint8Array
  seq: bigint
  round: bigint
  time: bigint
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
    uintToBytes(r.round, 8),
    uintToBytes(r.time, 8),
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
  round: 5n,
  time: 1_700_000_000_123n,
  prev: hash(9),
  parents: [hash(1), hash(2)],
  opsBytes: encodeOps(someOps),
  signature: new Uint8Array(65).fill(7),
  ...over,
})

function make(seq: bigint, parents: Uint8Array[], ops: Op[] = someOps, round = seq + 1n, time = 77n) {
  return createBlock({
    channelId: channel.channelId,
    author: authorBytes,
    seq,
    round,
    time,
    prev: seq === 1n ? channel.genesis : hash(9),
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
    expect(block.round).toBe(5n)
    expect(block.time).toBe(1_700_000_000_123n)
    expect(block.parents).toEqual(r.parents)
    expect(block.ops).toEqual(someOps)
  })

  it('createBlock: canonical parents, signed id, bytes that decode back to the block', () => {
    const arbParents = fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 6 })
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 1000n }),
        fc.bigInt({ min: 1n, max: MAX_ROUND }),
        fc.bigInt({ min: 0n, max: MAX_ROUND }),
        arbParents,
        (seq, round, time, parents) => {
          const { block, id, bytes } = make(seq, [...parents, ...parents], someOps, round, time)
          const unique = [...new Set(parents.map(toHex))].sort()
          expect(block.parents.map(toHex)).toEqual(unique)
          const back = decodeBlock(bytes)
          const { channelId, author: a, seq: q, prev, parents: ps, opsBytes, ops, signature } = block
          expect(back).toEqual({
            channelId,
            author: a,
            seq: q,
            round,
            time,
            prev,
            parents: ps,
            opsBytes,
            ops,
            signature,
          })
          expect(toHex(encodeBlock(back))).toBe(toHex(bytes))
          expect(toHex(blockId(back, channel.domainSeparator))).toBe(toHex(id))
          expect(recoverAddress(id, back.signature)).toBe(addressFromPrivateKey(author.sessionKey))
        },
      ),
      { numRuns: 50 },
    )
  })

  it('the block id covers every header field', () => {
    const { block, id } = make(2n, [hash(1)])
    const variants: Block[] = [
      { ...block, channelId: hash(5) },
      { ...block, author: fromHex(members[1]!.address, 20) },
      { ...block, seq: 3n },
      { ...block, round: block.round + 1n },
      { ...block, time: block.time + 1n },
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

  it('the size check is exact: MAX_BLOCK_BYTES bytes get parsed, one more byte does not', () => {
    // an op list declaring no ops followed by filler: a layout error only the parser can find
    const fixed = raw(good({ parents: [], opsBytes: new Uint8Array() })).length
    const fill = (total: number) =>
      raw(good({ parents: [], opsBytes: concatBytes(new Uint8Array(2), new Uint8Array(total - fixed - 2)) }))
    const atLimit = fill(MAX_BLOCK_BYTES)
    expect(atLimit.length).toBe(MAX_BLOCK_BYTES)
    expect(() => decodeBlock(atLimit)).toThrow(/trailing/)
    const over = fill(MAX_BLOCK_BYTES + 1)
    expect(over.length).toBe(MAX_BLOCK_BYTES + 1)
    expect(() => decodeBlock(over)).toThrow(/bytes over limit/)
  })

  it('the largest block the op limits allow fits under MAX_BLOCK_BYTES and round-trips', () => {
    // MAX_PARENTS parents, the most checkpoint signatures a block may carry, every other op of the largest kind
    const parents = Array.from({ length: MAX_PARENTS }, (_, i) => uintToBytes(BigInt(i + 1), 32))
    const others: Op[] = [
      someOps[1]!,
      { tag: OpTag.Lock, token: 0, amount: 1n, until: 1n, reason: 0 },
      { tag: OpTag.Transfer, to: 1, token: 0, amount: 1n },
    ]
    for (const op of others) expect(encodedOpSize(op)).toBeLessThanOrEqual(encodedOpSize(deposit(0)))
    const ops: Op[] = [
      ...Array.from({ length: MAX_CHECKPOINT_OPS_PER_BLOCK }, (_, i) => checkpointOp(BigInt(i + 1))),
      ...Array.from({ length: MAX_OPS_PER_BLOCK - MAX_CHECKPOINT_OPS_PER_BLOCK }, (_, i) => deposit(i)),
    ]
    const bytes = raw(good({ parents, opsBytes: encodeOps(ops) }))
    expect(bytes.length).toBeLessThanOrEqual(MAX_BLOCK_BYTES)
    const block = decodeBlock(bytes)
    expect(block.ops).toHaveLength(MAX_OPS_PER_BLOCK)
    expect(block.parents).toHaveLength(MAX_PARENTS)
    expect(toHex(encodeBlock(block))).toBe(toHex(bytes))
  })

  it(`accepts at most MAX_CHECKPOINT_OPS_PER_BLOCK (${MAX_CHECKPOINT_OPS_PER_BLOCK}) checkpoint signatures`, () => {
    const cps = (k: number) => Array.from({ length: k }, (_, i) => checkpointOp(BigInt(i + 1)))
    const atLimit = cps(MAX_CHECKPOINT_OPS_PER_BLOCK)
    expect(decodeBlock(raw(good({ opsBytes: encodeOps([...someOps, ...atLimit]) }))).ops).toHaveLength(
      someOps.length + MAX_CHECKPOINT_OPS_PER_BLOCK,
    )
    const over = cps(MAX_CHECKPOINT_OPS_PER_BLOCK + 1)
    expect(() => decodeBlock(raw(good({ opsBytes: encodeOps(over) })))).toThrow(/checkpoint/)
    // wherever the extra one sits among other ops
    const mixed = [checkpointOp(9n), ...someOps, ...atLimit]
    expect(() => decodeBlock(raw(good({ opsBytes: encodeOps(mixed) })))).toThrow(/checkpoint/)
    // checkpoint requests carry no signature and do not count
    const requests: Op[] = Array.from({ length: 50 }, () => ({ tag: OpTag.CheckpointRequest }))
    expect(decodeBlock(raw(good({ opsBytes: encodeOps([...atLimit, ...requests]) }))).ops).toHaveLength(
      MAX_CHECKPOINT_OPS_PER_BLOCK + 50,
    )
  })

  it('rejects an unknown format byte', () => {
    expect(BLOCK_FORMAT).toBe(2)
    // 1: the format before rounds and times, whose bytes would otherwise be misread
    for (const format of [0, 1, 3, 0xff]) expect(() => decodeBlock(raw(good({ format })))).toThrow(/format/)
  })

  it('requires round ≥ 1 and round, time ≤ MAX_ROUND (exact as JavaScript numbers)', () => {
    expect(MAX_ROUND).toBe(BigInt(Number.MAX_SAFE_INTEGER))
    expect(() => decodeBlock(raw(good({ round: 0n })))).toThrow(/round/)
    expect(decodeBlock(raw(good({ round: 1n }))).round).toBe(1n)
    expect(decodeBlock(raw(good({ round: MAX_ROUND }))).round).toBe(MAX_ROUND)
    expect(() => decodeBlock(raw(good({ round: MAX_ROUND + 1n })))).toThrow(/round/)
    expect(() => decodeBlock(raw(good({ round: (1n << 64n) - 1n })))).toThrow(/round/)
    expect(decodeBlock(raw(good({ time: 0n }))).time).toBe(0n)
    expect(decodeBlock(raw(good({ time: MAX_ROUND }))).time).toBe(MAX_ROUND)
    expect(() => decodeBlock(raw(good({ time: MAX_ROUND + 1n })))).toThrow(/time/)
    expect(() => decodeBlock(raw(good({ time: (1n << 64n) - 1n })))).toThrow(/time/)
  })

  it('rejects seq 0', () => {
    expect(() => decodeBlock(raw(good({ seq: 0n, prev: ZERO32 })))).toThrow(/seq/)
    expect(() => decodeBlock(raw(good({ seq: 0n })))).toThrow(BlockDecodeError)
  })

  it('requires prev ≠ 0 (seq 1 names the genesis, which the DAG checks: replicaIngress.test)', () => {
    expect(decodeBlock(raw(good({ seq: 1n, prev: channel.genesis }))).seq).toBe(1n)
    expect(decodeBlock(raw(good({ seq: 1n, prev: hash(9) }))).seq).toBe(1n)
    expect(() => decodeBlock(raw(good({ seq: 1n, prev: ZERO32 })))).toThrow(/prev/)
    expect(() => decodeBlock(raw(good({ seq: 2n, prev: ZERO32 })))).toThrow(/prev/)
    const oneBit = new Uint8Array(32)
    oneBit[31] = 1
    expect(decodeBlock(raw(good({ seq: 2n, prev: oneBit }))).seq).toBe(2n)
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
      fc.constantFrom<Op[]>(
        [],
        someOps,
        [{ tag: OpTag.Withdraw, token: 1, amount: 5n }],
        [checkpointOp(1n), { tag: OpTag.CheckpointRequest }],
      ),
      fc.bigInt({ min: 1n, max: 1n << 40n }),
      fc.bigInt({ min: 0n, max: 1n << 45n }),
    )
    .map(([seq, parents, ops, round, time]) => make(seq, parents.sort(compareBytes), ops, round, time).bytes)

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
      'round',
      'seq',
      'signature',
      'time',
    ])
  })

  it('refuses seq outside [1, 2^64) instead of wrapping it', () => {
    expect(() => encodeBlock({ ...block, seq: (1n << 64n) + 1n })).toThrow(RangeError)
    expect(() => encodeBlock({ ...block, seq: 0n })).toThrow(RangeError)
    expect(() => encodeBlock({ ...block, seq: -1n })).toThrow(RangeError)
  })

  it('refuses round outside [1, MAX_ROUND] and time outside [0, MAX_ROUND]: what the decoder accepts', () => {
    expect(() => encodeBlock({ ...block, round: 0n })).toThrow(/round/)
    expect(() => encodeBlock({ ...block, round: -1n })).toThrow(RangeError)
    expect(() => encodeBlock({ ...block, round: MAX_ROUND + 1n })).toThrow(/round/)
    expect(() => encodeBlock({ ...block, time: -1n })).toThrow(/time/)
    expect(() => encodeBlock({ ...block, time: MAX_ROUND + 1n })).toThrow(/time/)
    for (const b of [
      { ...block, round: MAX_ROUND, time: MAX_ROUND },
      { ...block, round: 1n, time: 0n },
    ])
      expect(decodeBlock(encodeBlock(b))).toEqual(b)
  })

  it('refuses fields of the wrong length', () => {
    expect(() => encodeBlock({ ...block, author: new Uint8Array(19) })).toThrow(/author/)
    expect(() => encodeBlock({ ...block, signature: new Uint8Array(64) })).toThrow(/signature/)
    expect(() => encodeBlock({ ...block, parents: [new Uint8Array(31)] })).toThrow(/parents/)
  })
})
