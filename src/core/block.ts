import { bytesEqual, concatBytes, toHex, ZERO32 } from './bytes.ts'
import { type BlockHeaderFields, blockStructHash, typedDataDigest } from './eip712.ts'
import { keccak256 } from './hash.ts'
import { decodeOps, encodeOps, OpDecodeError } from './opCodec.ts'
import { MAX_CHECKPOINT_OPS_PER_BLOCK, type Op, OpTag } from './ops.ts'
import { signDigest } from './signature.ts'

/**
 * A block: one author's signed batch of ops in one round of the DAG, hash-linked to its previous block (`prev`)
 * and to blocks of earlier rounds it has seen from others (`parents`). Wire layout (all integers big-endian):
 *   u8 format(=2) ‖ channelId[32] ‖ author[20] ‖ u64 seq ‖ u64 round ‖ u64 time ‖ prev[32] ‖ u16 nParents
 *   ‖ parents[32·n] ‖ u32 opsLength ‖ ops ‖ signature[65]
 * The block id is the EIP-712 digest of its header (see eip712.ts), so the id is exactly what the author's
 * session key signed and what the settlement contract recomputes from equivocation evidence.
 */
export type Block = {
  channelId: Uint8Array
  author: Uint8Array
  seq: bigint
  /** DAG round ≥ 1; every reference has a lower round (checked by the DAG, which knows them) */
  round: bigint
  /** the author's clock (ms): only an input to the channel clock, which a minority cannot move */
  time: bigint
  prev: Uint8Array
  parents: Uint8Array[]
  opsBytes: Uint8Array
  ops: Op[]
  signature: Uint8Array
}

export const BLOCK_FORMAT = 2
export const MAX_BLOCK_BYTES = 256 * 1024
export const MAX_PARENTS = 256
const FIXED = 1 + 32 + 20 + 8 + 8 + 8 + 32 + 2 + 4 + 65
/** rounds and times stay exact as JavaScript numbers */
export const MAX_ROUND = BigInt(Number.MAX_SAFE_INTEGER)

export class BlockDecodeError extends Error {
  override name = 'BlockDecodeError'
}

export function parentsHash(parents: readonly Uint8Array[]): Uint8Array {
  return keccak256(parents.length === 0 ? new Uint8Array() : concatBytes(...parents))
}

export function blockHeader(b: Block): BlockHeaderFields {
  return {
    channelId: b.channelId,
    author: b.author,
    seq: b.seq,
    round: b.round,
    time: b.time,
    prev: b.prev,
    parentsHash: parentsHash(b.parents),
    opsHash: keccak256(b.opsBytes),
  }
}

/** The block id: EIP-712 digest of the header under the channel's domain separator. */
export function blockId(b: Block, domainSeparator: Uint8Array): Uint8Array {
  return typedDataDigest(domainSeparator, blockStructHash(blockHeader(b)))
}

/** Encodes a block; throws RangeError for any field of the wrong length or out of range, never wraps. */
export function encodeBlock(b: Block): Uint8Array {
  if (b.parents.length > MAX_PARENTS) throw new RangeError('too many parents')
  if (b.seq < 1n || b.seq >= 1n << 64n) throw new RangeError(`seq out of range: ${b.seq}`)
  if (b.round < 1n || b.round > MAX_ROUND) throw new RangeError(`round out of range: ${b.round}`)
  if (b.time < 0n || b.time > MAX_ROUND) throw new RangeError(`time out of range: ${b.time}`)
  const sizes: [Uint8Array, number, string][] = [
    [b.channelId, 32, 'channelId'],
    [b.author, 20, 'author'],
    [b.prev, 32, 'prev'],
    [b.signature, 65, 'signature'],
    ...b.parents.map((p, i): [Uint8Array, number, string] => [p, 32, `parents[${i}]`]),
  ]
  for (const [v, n, name] of sizes) if (v.length !== n) throw new RangeError(`${name} must be ${n} bytes`)
  const size = FIXED + 32 * b.parents.length + b.opsBytes.length
  if (size > MAX_BLOCK_BYTES) throw new RangeError(`block of ${size} bytes over limit`)
  const out = new Uint8Array(size)
  const dv = new DataView(out.buffer)
  let o = 0
  out[o++] = BLOCK_FORMAT
  out.set(b.channelId, o)
  o += 32
  out.set(b.author, o)
  o += 20
  dv.setBigUint64(o, b.seq)
  o += 8
  dv.setBigUint64(o, b.round)
  o += 8
  dv.setBigUint64(o, b.time)
  o += 8
  out.set(b.prev, o)
  o += 32
  dv.setUint16(o, b.parents.length)
  o += 2
  for (const p of b.parents) {
    out.set(p, o)
    o += 32
  }
  dv.setUint32(o, b.opsBytes.length)
  o += 4
  out.set(b.opsBytes, o)
  o += b.opsBytes.length
  out.set(b.signature, o)
  return out
}

/**
 * Decodes wire bytes into a block. Checks the size limit before any other work, then the layout: format byte,
 * parent count, strictly ascending parents, seq ≥ 1, prev ≠ 0, the ops list (see decodeOps) and
 * exact length. Accepted input re-encodes to identical bytes.
 */
export function decodeBlock(bytes: Uint8Array): Block {
  if (bytes.length > MAX_BLOCK_BYTES) throw new BlockDecodeError(`block of ${bytes.length} bytes over limit`)
  if (bytes.length < FIXED) throw new BlockDecodeError('block truncated')
  if (bytes[0] !== BLOCK_FORMAT) throw new BlockDecodeError(`unknown block format ${bytes[0]}`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let o = 1
  const channelId = bytes.slice(o, o + 32)
  o += 32
  const author = bytes.slice(o, o + 20)
  o += 20
  const seq = dv.getBigUint64(o)
  o += 8
  const round = dv.getBigUint64(o)
  o += 8
  const time = dv.getBigUint64(o)
  o += 8
  const prev = bytes.slice(o, o + 32)
  o += 32
  const nParents = dv.getUint16(o)
  o += 2
  if (nParents > MAX_PARENTS) throw new BlockDecodeError(`${nParents} parents over limit`)
  if (o + 32 * nParents + 4 + 65 > bytes.length) throw new BlockDecodeError('block truncated in parents')
  const parents: Uint8Array[] = []
  for (let i = 0; i < nParents; i++, o += 32) {
    const p = bytes.slice(o, o + 32)
    if (i > 0 && !ascending(parents[i - 1]!, p)) throw new BlockDecodeError('parents not strictly ascending')
    parents.push(p)
  }
  const opsLength = dv.getUint32(o)
  o += 4
  if (o + opsLength + 65 !== bytes.length) throw new BlockDecodeError('ops length does not match block size')
  const opsBytes = bytes.slice(o, o + opsLength)
  o += opsLength
  const signature = bytes.slice(o, o + 65)
  if (seq === 0n) throw new BlockDecodeError('seq must start at 1')
  if (round === 0n || round > MAX_ROUND) throw new BlockDecodeError(`round ${round} out of range`)
  if (time > MAX_ROUND) throw new BlockDecodeError(`time ${time} out of range`)
  // seq 1 names the channel's genesis (genesis.ts; the DAG checks which), a later seq its author's previous block
  if (bytesEqual(prev, ZERO32)) throw new BlockDecodeError('prev must not be zero')
  let ops: Op[]
  try {
    ops = decodeOps(opsBytes)
  } catch (e) {
    if (e instanceof OpDecodeError) throw new BlockDecodeError(e.message)
    throw e
  }
  let checkpointOps = 0
  for (const op of ops) if (op.tag === OpTag.Checkpoint || op.tag === OpTag.Close) checkpointOps++
  if (checkpointOps > MAX_CHECKPOINT_OPS_PER_BLOCK)
    throw new BlockDecodeError(
      `${checkpointOps} checkpoint signatures exceed the limit of ${MAX_CHECKPOINT_OPS_PER_BLOCK}`,
    )
  return { channelId, author, seq, round, time, prev, parents, opsBytes, ops, signature }
}

function ascending(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! < b[i]!
  return false
}

export type CreateBlockParameters = {
  channelId: Uint8Array
  author: Uint8Array
  seq: bigint
  round: bigint
  time: bigint
  prev: Uint8Array
  parents: Uint8Array[]
  ops: Op[]
  sessionKey: Uint8Array
  domainSeparator: Uint8Array
}

/** Builds and signs a block; parents are sorted and deduplicated so the result is canonical. */
export function createBlock(p: CreateBlockParameters): { block: Block; id: Uint8Array; bytes: Uint8Array } {
  const byHex = new Map<string, Uint8Array>()
  for (const x of p.parents) byHex.set(toHex(x), x)
  const parents = [...byHex.keys()].sort().map((k) => byHex.get(k)!)
  const opsBytes = encodeOps(p.ops)
  // built field by field: the parameters also carry the session key, which must never ride along
  const unsigned: Block = {
    channelId: p.channelId,
    author: p.author,
    seq: p.seq,
    round: p.round,
    time: p.time,
    prev: p.prev,
    parents,
    opsBytes,
    ops: p.ops,
    signature: new Uint8Array(65),
  }
  const id = blockId(unsigned, p.domainSeparator)
  const block = { ...unsigned, signature: signDigest(id, p.sessionKey) }
  return { block, id, bytes: encodeBlock(block) }
}
