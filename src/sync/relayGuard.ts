import { type DropReason, PeerGuard, type PeerLimits, type Verdict } from './peerGuard.ts'
import { DEFAULT_UPDATE_LIMITS, type UpdateLimits } from './updateGuard.ts'

/**
 * Limits for a relay connection. A relay carries every participant's traffic on one socket, so its rates are
 * those of many WebRTC peers together; the per-message caps and the update inspection are the same.
 */
export const DEFAULT_RELAY_LIMITS: PeerLimits = {
  frameBytes: 64 * 1024,
  maxMessageBytes: 64 * 1024 * 1024,
  maxUpdateBytes: 8 * 1024 * 1024,
  maxAwarenessBytes: 64 * 1024,
  maxStateVectorBytes: 1024 * 1024,
  maxCatchUpBytes: 2 * 1024 * 1024,
  messagesPerSecond: 4000,
  messageBurst: 40_000,
  bytesPerSecond: 64 * 1024 * 1024,
  byteBurst: 256 * 1024 * 1024,
  // a reconnect or a periodic resync brings one state vector each
  fullRepliesPerMinute: 30,
  fullReplyBurst: 10,
  maxStrikes: 100,
  maxClientIds: 4096,
}

/** Hocuspocus message types (the byte after the document name); Ping is a whole message of one byte. */
const HP = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3, close: 7, syncStatus: 8, ping: 9 } as const
/** auth, close and sync-status messages are a few bytes; anything longer is not what the provider expects */
const MAX_CONTROL_BYTES = 1024
const MAX_NAME_BYTES = 256

export type RelayVerdict =
  | { deliver: true }
  /** a doc update the doc already holds: not delivered, not a strike (PeerGuard's `held`) */
  | { duplicate: true }
  | { drop: DropReason | 'foreign-doc' }

/**
 * The checks on messages from a Hocuspocus relay before the provider decodes them. A relay message is
 * `varString documentName ‖ varUint type ‖ payload`; for sync, awareness and awareness queries the part from the
 * type on is exactly a y-webrtc message, so it goes through the same PeerGuard as a WebRTC peer's (rates, size
 * caps per type, a structural inspection of every Yjs update, a bound on client ids). Messages for another
 * document, of unknown types or oversized control messages are strikes; past maxStrikes the caller closes the
 * relay for the session. What passes is still only a Yjs update or awareness state: ChannelDoc validates every
 * block it carries.
 */
export class RelayGuard {
  readonly peer: PeerGuard
  /** the doc's pending-struct buffer is trimmed above this after each delivered message */
  readonly maxUpdateBytes: number
  private readonly name: Uint8Array

  constructor(p: {
    documentName: string
    limits?: Partial<PeerLimits>
    updateLimits?: UpdateLimits
    now: () => number
    /** whether a doc update would change nothing in the doc (heldUpdate.ts); default: none is */
    held?: (update: Uint8Array) => boolean
  }) {
    this.name = new TextEncoder().encode(p.documentName)
    const limits = { ...DEFAULT_RELAY_LIMITS, ...p.limits }
    this.maxUpdateBytes = limits.maxMessageBytes
    this.peer = new PeerGuard({
      limits,
      updateLimits: p.updateLimits ?? DEFAULT_UPDATE_LIMITS,
      now: p.now,
      ...(p.held ? { held: p.held } : {}),
    })
  }

  get stats(): PeerGuard['stats'] {
    return this.peer.stats
  }

  get shouldDisconnect(): boolean {
    return this.peer.shouldDisconnect
  }

  receive(data: unknown): RelayVerdict {
    if (!(data instanceof ArrayBuffer || data instanceof Uint8Array)) return this.strike('malformed')
    const m = data instanceof Uint8Array ? data : new Uint8Array(data)
    if (m.length === 1 && m[0] === HP.ping) return { deliver: true }
    const len = readVarUint(m, 0)
    if (!len || len.value > MAX_NAME_BYTES || len.next + len.value > m.length) return this.strike('malformed')
    const name = m.subarray(len.next, len.next + len.value)
    if (name.length !== this.name.length || name.some((b, i) => b !== this.name[i]))
      return this.strike('foreign-doc')
    const rest = m.subarray(len.next + len.value)
    const type = readVarUint(rest, 0)
    if (!type) return this.strike('malformed')
    switch (type.value) {
      case HP.sync:
      case HP.awareness:
      case HP.queryAwareness:
        return settle(this.peer.receive(rest))
      case HP.auth:
      case HP.close:
      case HP.syncStatus:
        return rest.length <= MAX_CONTROL_BYTES ? { deliver: true } : this.strike('oversize')
      default:
        return this.strike('unknown-type')
    }
  }

  private strike(reason: DropReason | 'foreign-doc'): RelayVerdict {
    this.peer.strike(reason === 'foreign-doc' ? 'malformed' : reason)
    return { drop: reason }
  }
}

function settle(v: Verdict): RelayVerdict {
  if ('deliver' in v) return { deliver: true }
  if ('drop' in v) return v
  if ('duplicate' in v) return v
  // chunk frames and catch-up messages are WebRTC-only: a relay sending them is misbehaving
  return { drop: 'unknown-type' }
}

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
