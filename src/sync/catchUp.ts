import { MAX_BLOCK_BYTES } from '../core/block.ts'
import { type Hex, toHex } from '../core/bytes.ts'
import type { ChannelDoc } from './channelDoc.ts'

/**
 * First byte of a catch-up message on a peer connection. y-webrtc's own messages start with a varuint type in
 * 0..4, and 0x7f marks our chunk frames (peerGuard.ts), so this byte cannot be mistaken for either.
 */
export const CATCH_UP = 0x7e
const WANT = 0
const BLOCKS = 1
const PRUNED = 2

export const MAX_WANT_IDS = 64

export type CatchUpMessage =
  | { kind: 'want'; ids: Hex[] }
  | { kind: 'blocks'; blocks: Uint8Array[] }
  | { kind: 'pruned'; ids: Hex[] }

/** `0x7e ‖ 0 ‖ u16 n ‖ n × id[32]`: ids the sender lacks. */
export function encodeWant(ids: readonly Hex[]): Uint8Array {
  return encodeIds(WANT, ids)
}

/** `0x7e ‖ 2 ‖ u16 n ‖ n × id[32]`: of the ids asked for, those the sender pruned (issue #8). */
export function encodePruned(ids: readonly Hex[]): Uint8Array {
  return encodeIds(PRUNED, ids)
}

function encodeIds(kind: number, ids: readonly Hex[]): Uint8Array {
  const n = Math.min(ids.length, MAX_WANT_IDS)
  const out = new Uint8Array(4 + 32 * n)
  out[0] = CATCH_UP
  out[1] = kind
  out[2] = n >> 8
  out[3] = n & 0xff
  for (let i = 0; i < n; i++) {
    const h = ids[i]!
    for (let j = 0; j < 32; j++) out[4 + 32 * i + j] = Number.parseInt(h.slice(2 + 2 * j, 4 + 2 * j), 16)
  }
  return out
}

/** `0x7e ‖ 1 ‖ u16 n ‖ n × (u32 length ‖ block bytes)`: blocks by id, in reply to a want. */
export function encodeBlocks(blocks: readonly Uint8Array[]): Uint8Array {
  const size = blocks.reduce((s, b) => s + 4 + b.length, 4)
  const out = new Uint8Array(size)
  const dv = new DataView(out.buffer)
  out[0] = CATCH_UP
  out[1] = BLOCKS
  dv.setUint16(2, blocks.length)
  let o = 4
  for (const b of blocks) {
    dv.setUint32(o, b.length)
    out.set(b, o + 4)
    o += 4 + b.length
  }
  return out
}

/** Parses a catch-up message with every length checked against the bytes present; undefined if malformed. */
export function decodeCatchUp(msg: Uint8Array): CatchUpMessage | undefined {
  if (msg.length < 4 || msg[0] !== CATCH_UP) return undefined
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength)
  const n = dv.getUint16(2)
  if (msg[1] === WANT || msg[1] === PRUNED) {
    if (n > MAX_WANT_IDS || msg.length !== 4 + 32 * n) return undefined
    const ids: Hex[] = []
    for (let i = 0; i < n; i++) ids.push(toHex(msg.subarray(4 + 32 * i, 36 + 32 * i)))
    return { kind: msg[1] === WANT ? 'want' : 'pruned', ids }
  }
  if (msg[1] !== BLOCKS || n > MAX_WANT_IDS) return undefined
  const blocks: Uint8Array[] = []
  let o = 4
  for (let i = 0; i < n; i++) {
    if (o + 4 > msg.length) return undefined
    const len = dv.getUint32(o)
    if (len > MAX_BLOCK_BYTES || o + 4 + len > msg.length) return undefined
    blocks.push(msg.subarray(o + 4, o + 4 + len))
    o += 4 + len
  }
  return o === msg.length ? { kind: 'blocks', blocks } : undefined
}

export type CatchUpParameters = {
  channelDoc: ChannelDoc
  /** bytes of blocks sent in reply to one want (default 1 MiB; the chunking in peerGuard.ts carries it) */
  maxReplyBytes?: number
}

export type HandleResult = {
  /** what to send back on the same connection */
  reply?: Uint8Array
  /** blocks received that were new (accepted or buffered) */
  added: number
  /** blocks received that the replica refused: charge the connection */
  rejected: number
  malformed: boolean
}

/**
 * Fetching missing blocks by id, directly between two connected peers, for what the shared doc does not deliver:
 * ancestors of buffered blocks and heads peers advertise (ChannelDoc.wants). The requester sends its wants to its
 * neighbours; a neighbour answers with the blocks it holds; everything received is validated by the replica like
 * any other input. Nothing here is trusted: a want costs the responder at most maxReplyBytes, a reply costs the
 * requester the validation of at most MAX_WANT_IDS blocks, and the transport rate-limits both.
 */
export class CatchUp {
  private readonly cd: ChannelDoc
  private readonly maxReplyBytes: number

  constructor(p: CatchUpParameters) {
    this.cd = p.channelDoc
    this.maxReplyBytes = p.maxReplyBytes ?? 1024 * 1024
  }

  /** The want message to send to neighbours, or undefined when nothing is missing. */
  request(): Uint8Array | undefined {
    const ids = this.cd.wants(MAX_WANT_IDS)
    return ids.length > 0 ? encodeWant(ids) : undefined
  }

  /** Handles a catch-up message from a neighbour. */
  handle(msg: Uint8Array): HandleResult {
    const m = decodeCatchUp(msg)
    if (!m) return { added: 0, rejected: 0, malformed: true }
    if (m.kind === 'want') {
      const blocks = this.cd.blocksFor(m.ids, this.maxReplyBytes)
      if (blocks.length > 0) return { reply: encodeBlocks(blocks), added: 0, rejected: 0, malformed: false }
      // blocks below our pruning point are gone here: say so, so the peer stops asking us for them
      const pruned = this.cd.prunedOf(m.ids)
      return pruned.length > 0
        ? { reply: encodePruned(pruned), added: 0, rejected: 0, malformed: false }
        : { added: 0, rejected: 0, malformed: false }
    }
    if (m.kind === 'pruned') {
      this.cd.notePruned(m.ids)
      return { added: 0, rejected: 0, malformed: false }
    }
    let added = 0
    let rejected = 0
    for (const r of this.cd.receiveDirect(m.blocks))
      if (r.status === 'accepted' || r.status === 'buffered') added++
      else if (
        r.status === 'rejected' &&
        r.reason !== 'buffer-full' &&
        r.reason !== 'below-floor' &&
        r.reason !== 'expired-fork'
      )
        rejected++
    // a reply that brought blocks may reveal further missing ancestors: ask again at once
    const next = added > 0 ? this.request() : undefined
    return next ? { reply: next, added, rejected, malformed: false } : { added, rejected, malformed: false }
  }
}
