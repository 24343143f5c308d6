import { CATCH_UP } from './catchUp.ts'
import {
  DEFAULT_UPDATE_LIMITS,
  inspectUpdate,
  type UpdateLimits,
  type UpdateRejection,
} from './updateGuard.ts'

/** First byte of a chunk frame: `0x7f ‖ u8 last ‖ payload`. y-webrtc's message types are 0..4. */
export const FRAME = 0x7f

export type PeerLimits = {
  /** outgoing messages above this are split into frames (Chromium closes a data channel on >256 KiB) */
  frameBytes: number
  /** a reassembled message, e.g. the full-state reply to a state vector */
  maxMessageBytes: number
  /** an incremental update, an awareness update, a state vector, a catch-up message */
  maxUpdateBytes: number
  maxAwarenessBytes: number
  maxStateVectorBytes: number
  maxCatchUpBytes: number
  messagesPerSecond: number
  messageBurst: number
  bytesPerSecond: number
  byteBurst: number
  /** state-vector messages and awareness queries, each of which makes us send a full reply */
  fullRepliesPerMinute: number
  fullReplyBurst: number
  /** drops after which the connection is closed */
  maxStrikes: number
  /**
   * distinct Yjs client ids one connection may bring in: client ids are free to make up, and a stream of fresh ones
   * makes update handling and client bookkeeping grow with every one (an honest doc has one per tab ever opened)
   */
  maxClientIds: number
}

export const DEFAULT_PEER_LIMITS: PeerLimits = {
  frameBytes: 64 * 1024,
  maxMessageBytes: 64 * 1024 * 1024,
  maxUpdateBytes: 8 * 1024 * 1024,
  maxAwarenessBytes: 64 * 1024,
  maxStateVectorBytes: 1024 * 1024,
  maxCatchUpBytes: 2 * 1024 * 1024,
  messagesPerSecond: 200,
  messageBurst: 2000,
  bytesPerSecond: 16 * 1024 * 1024,
  byteBurst: 64 * 1024 * 1024,
  fullRepliesPerMinute: 12,
  fullReplyBurst: 6,
  maxStrikes: 100,
  maxClientIds: 2048,
}

export type DropReason =
  | 'rate-bytes'
  | 'rate-messages'
  | 'rate-full-reply'
  | 'oversize'
  | 'frame-interleaved'
  | 'unknown-type'
  | 'malformed'
  | 'handler-error'
  | 'bad-catch-up'
  | 'too-many-clients'
  | `update-${UpdateRejection}`

export type Verdict =
  /** a y-webrtc message that passed the checks: hand it to y-webrtc's own listener */
  | { deliver: Uint8Array }
  /** a catch-up message (catchUp.ts) */
  | { catchUp: Uint8Array }
  /** a frame of a message still being reassembled */
  | { pending: true }
  /** a doc update adding nothing to the doc (another transport or the relay's echo brought it first): not a strike */
  | { duplicate: true }
  | { drop: DropReason }

/** Token bucket on an injected clock (milliseconds). */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst
    this.last = now()
  }

  take(n = 1): boolean {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.perSecond) / 1000)
    this.last = t
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }
}

/** Splits a message into frames of at most `frameBytes` (small messages that cannot be mistaken go as they are). */
export function frameMessage(message: Uint8Array, frameBytes: number): Uint8Array[] {
  if (message.length <= frameBytes && message[0] !== FRAME) return [message]
  const payload = frameBytes - 2
  const out: Uint8Array[] = []
  for (let o = 0; o < message.length || out.length === 0; o += payload) {
    const part = message.subarray(o, o + payload)
    const f = new Uint8Array(2 + part.length)
    f[0] = FRAME
    f[1] = o + payload >= message.length ? 1 : 0
    f.set(part, 2)
    out.push(f)
  }
  return out
}

/** Reads a lib0 varuint of at most 4 bytes (< 2^28) from `buf` at `pos`; undefined when truncated or longer. */
function readVarUint(buf: Uint8Array, pos: number): { value: number; next: number } | undefined {
  let value = 0
  for (let i = 0; i < 4; i++) {
    const b = buf[pos + i]
    if (b === undefined) return undefined
    value |= (b & 0x7f) << (7 * i)
    if (b < 0x80) return { value, next: pos + i + 1 }
  }
  return undefined
}

/**
 * The checks on one WebRTC peer's incoming messages, before y-webrtc decodes anything: byte and message rate
 * limits, reassembly of chunk frames up to a size cap, a size cap per y-webrtc message type, a structural
 * inspection of every Yjs update (updateGuard.ts), and a tighter rate on messages that make us send a full reply
 * (state vectors, awareness queries). Each drop is a strike; past maxStrikes the connection should be closed.
 * An update the doc already holds (`held`) is set aside before the inspection, counted but not a strike: with
 * WebRTC and the relay side by side every block arrives at least twice, and only the first copy is news.
 */
export class PeerGuard {
  readonly stats = {
    messages: 0,
    bytes: 0,
    delivered: 0,
    /** doc updates (sync step 2 or update) delivered, each one decoded and applied by Yjs */
    updates: 0,
    /** doc updates the doc already held, dropped before inspection (not strikes) */
    duplicates: 0,
    strikes: 0,
    dropped: {} as Partial<Record<DropReason, number>>,
  }
  private readonly limits: PeerLimits
  /** Yjs client ids this connection brought in (bounded by maxClientIds) */
  private readonly clientIds = new Set<number>()
  private readonly updateLimits: UpdateLimits
  private readonly held: ((update: Uint8Array) => boolean) | undefined
  private readonly bytes: TokenBucket
  private readonly messages: TokenBucket
  private readonly fullReplies: TokenBucket
  private assembly: Uint8Array[] | undefined
  private assembled = 0
  private discarding = false
  /** strikes before the last forgive(): they no longer count toward maxStrikes */
  private forgiven = 0

  constructor(p: {
    limits?: Partial<PeerLimits>
    updateLimits?: UpdateLimits
    now: () => number
    /**
     * whether a doc update would change nothing in the doc (heldUpdate.ts): such an update is dropped before the
     * inspection and never reaches Yjs; default: none is
     */
    held?: (update: Uint8Array) => boolean
  }) {
    this.limits = { ...DEFAULT_PEER_LIMITS, ...p.limits }
    this.updateLimits = p.updateLimits ?? DEFAULT_UPDATE_LIMITS
    this.held = p.held
    const l = this.limits
    this.bytes = new TokenBucket(l.bytesPerSecond, l.byteBurst, p.now)
    this.messages = new TokenBucket(l.messagesPerSecond, l.messageBurst, p.now)
    this.fullReplies = new TokenBucket(l.fullRepliesPerMinute / 60, l.fullReplyBurst, p.now)
  }

  get shouldDisconnect(): boolean {
    return this.stats.strikes - this.forgiven >= this.limits.maxStrikes
  }

  /** Starts the strike count afresh (a relay tried again after its cool-down); `stats` keep every strike. */
  forgive(): void {
    this.forgiven = this.stats.strikes
  }

  /** Records a drop decided elsewhere (a handler threw, a catch-up reply carried invalid blocks). */
  strike(reason: DropReason): Verdict {
    this.stats.strikes++
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1
    return { drop: reason }
  }

  frame(message: Uint8Array): Uint8Array[] {
    return frameMessage(message, this.limits.frameBytes)
  }

  receive(data: Uint8Array): Verdict {
    this.stats.bytes += data.length
    if (!this.bytes.take(data.length)) return this.strike('rate-bytes')
    if (data[0] === FRAME) return this.receiveFrame(data)
    if (this.assembly || this.discarding) {
      this.assembly = undefined
      this.discarding = false
      this.strike('frame-interleaved')
    }
    return this.check(data)
  }

  private receiveFrame(f: Uint8Array): Verdict {
    if (f.length < 2 || f[1]! > 1) return this.strike('malformed')
    const last = f[1] === 1
    if (this.discarding) {
      if (last) this.discarding = false
      return { pending: true }
    }
    if (!this.assembly) {
      this.assembly = []
      this.assembled = 0
    }
    if (this.assembled + f.length - 2 > this.limits.maxMessageBytes) {
      this.assembly = undefined
      this.discarding = !last
      return this.strike('oversize')
    }
    this.assembly.push(f.subarray(2))
    this.assembled += f.length - 2
    if (!last) return { pending: true }
    const message = new Uint8Array(this.assembled)
    let o = 0
    for (const p of this.assembly) {
      message.set(p, o)
      o += p.length
    }
    this.assembly = undefined
    return this.check(message)
  }

  /** Checks one whole message by its type; see the class comment. */
  private check(m: Uint8Array): Verdict {
    this.stats.messages++
    if (!this.messages.take()) return this.strike('rate-messages')
    const l = this.limits
    if (m[0] === CATCH_UP) return m.length <= l.maxCatchUpBytes ? { catchUp: m } : this.strike('oversize')
    const type = readVarUint(m, 0)
    if (!type) return this.strike('malformed')
    switch (type.value) {
      case 0: {
        const sub = readVarUint(m, type.next)
        if (!sub) return this.strike('malformed')
        if (sub.value === 0) {
          if (m.length > l.maxStateVectorBytes) return this.strike('oversize')
          if (!this.fullReplies.take()) return this.strike('rate-full-reply')
          return this.deliver(m)
        }
        if (sub.value !== 1 && sub.value !== 2) return this.strike('unknown-type')
        const max = sub.value === 1 ? l.maxMessageBytes : l.maxUpdateBytes
        if (m.length > max) return this.strike('oversize')
        const len = readVarUint(m, sub.next)
        if (!len || len.next + len.value !== m.length) return this.strike('malformed')
        const update = m.subarray(len.next)
        // a copy of what the doc holds (sub 2 only: a sync step 2 also marks the connection synced)
        if (sub.value === 2 && this.held?.(update)) {
          this.stats.duplicates++
          return { duplicate: true }
        }
        const clients = new Set<number>()
        const reason = inspectUpdate(update, { ...this.updateLimits, maxUpdateBytes: max }, clients)
        if (reason !== undefined) return this.strike(`update-${reason}`)
        for (const c of clients)
          if (!this.clientIds.has(c) && this.clientIds.size < l.maxClientIds) this.clientIds.add(c)
        for (const c of clients) if (!this.clientIds.has(c)) return this.strike('too-many-clients')
        this.stats.updates++
        return this.deliver(m)
      }
      case 1:
        return m.length <= l.maxAwarenessBytes ? this.deliver(m) : this.strike('oversize')
      case 3:
        if (m.length !== 1) return this.strike('malformed')
        return this.fullReplies.take() ? this.deliver(m) : this.strike('rate-full-reply')
      default:
        return this.strike('unknown-type')
    }
  }

  private deliver(m: Uint8Array): Verdict {
    this.stats.delivered++
    return { deliver: m }
  }
}
