import type { WebrtcConn, WebrtcProvider } from 'y-webrtc'
import * as Y from 'yjs'
import { updateHeld } from './heldUpdate.ts'
import { type DropReason, PeerGuard, type PeerLimits } from './peerGuard.ts'
import { DEFAULT_UPDATE_LIMITS, trimPending, type UpdateLimits } from './updateGuard.ts'

/** The part of simple-peer's API y-webrtc uses and we wrap. */
type SimplePeer = {
  send(data: Uint8Array): void
  on(event: 'data', listener: (data: Uint8Array) => void): void
  listeners(event: 'data'): ((data: Uint8Array) => void)[]
  removeAllListeners(event: 'data'): void
  _channel?: { bufferedAmount: number } | null
}

export type CatchUpHandler = (
  msg: Uint8Array,
  reply: (m: Uint8Array) => void,
  strike: (r: DropReason) => void,
) => void

export type GuardProviderParameters = {
  provider: WebrtcProvider
  limits?: Partial<PeerLimits>
  updateLimits?: UpdateLimits
  now?: () => number
  /** state-vector exchange with every connected peer this often (ms; 0 turns it off), see below */
  resyncMs?: number
  /** bytes queued in a data channel above which further frames wait */
  highWaterBytes?: number
}

export type PeerReport = { peerId: string; connected: boolean; stats: PeerGuard['stats'] }

export type ProviderGuard = {
  /** catch-up messages are dropped until a handler is set (the channel is live) */
  setCatchUpHandler(handler: CatchUpHandler | undefined): void
  /** sends through the framed, flow-controlled path to one connected peer */
  send(peerId: string, message: Uint8Array): boolean
  connectedPeers(): string[]
  report(): PeerReport[]
  /** peers disconnected for too many strikes in this session (refused if they come back) */
  readonly banned: ReadonlySet<string>
  destroy(): void
}

type Wrapped = { conn: WebrtcConn; guard: PeerGuard; send: (m: Uint8Array) => void }

/**
 * Puts a PeerGuard in front of every WebRTC connection of a y-webrtc provider. On each 'peers' event (y-webrtc
 * emits it when it creates a connection, before any data flows) the connection's simple-peer 'data' listeners
 * are replaced by one that size-checks, rate-limits, reassembles and inspects each message (peerGuard.ts) and
 * only then calls y-webrtc's own listener; `peer.send` is replaced by a framed sender with flow control, so no
 * message exceeds a data channel's size limit. A connection past its strike limit is closed and its peer id
 * refused for the session.
 *
 * Messages dropped here may include honest updates (rate limits): every `resyncMs` each connection gets a state
 * vector, whose reply carries whatever is missing, as y-webrtc only exchanges state vectors on connect.
 * Not covered: y-webrtc's BroadcastChannel path (same-origin tabs only, encrypted with the room key: a sender
 * there already runs code in our origin) and the signaling server's messages (encrypted with the room password).
 */
export function guardProvider(p: GuardProviderParameters): ProviderGuard {
  const { provider } = p
  const now = p.now ?? (() => performance.now())
  const updateLimits = p.updateLimits ?? DEFAULT_UPDATE_LIMITS
  const highWater = p.highWaterBytes ?? 4 * 1024 * 1024
  const wrapped = new Map<string, Wrapped>()
  const seen = new WeakSet<WebrtcConn>()
  const banned = new Set<string>()
  let catchUp: CatchUpHandler | undefined

  const wrap = (id: string, conn: WebrtcConn): void => {
    if (seen.has(conn)) return
    seen.add(conn)
    if (banned.has(id)) {
      conn.destroy()
      return
    }
    const peer = conn.peer as SimplePeer
    const original = peer.listeners('data')
    peer.removeAllListeners('data')
    // neighbours forward what the relay brought them, most of which came here directly too (heldUpdate.ts)
    const guard = new PeerGuard({
      limits: p.limits,
      updateLimits,
      now,
      held: (u) => updateHeld(provider.doc, u),
    })
    const rawSend = peer.send.bind(peer)
    const queue: Uint8Array[] = []
    let waiting = false
    const drain = () => {
      waiting = false
      while (queue.length > 0) {
        if ((peer._channel?.bufferedAmount ?? 0) > highWater) {
          waiting = true
          setTimeout(drain, 25)
          return
        }
        try {
          rawSend(queue.shift()!)
        } catch {
          // the channel closed: y-webrtc drops the connection, and the next one starts with a full sync
          queue.length = 0
        }
      }
    }
    const send = (m: Uint8Array) => {
      for (const f of guard.frame(m)) queue.push(f)
      if (!waiting) drain()
    }
    peer.send = send
    const drop = () => {
      if (!guard.shouldDisconnect) return
      banned.add(id)
      conn.destroy()
    }
    peer.on('data', (data) => {
      const v = guard.receive(data instanceof Uint8Array ? data : new Uint8Array(data))
      if ('deliver' in v) {
        for (const l of original)
          try {
            l.call(peer, v.deliver)
          } catch {
            guard.strike('handler-error')
          }
        trimPending(provider.doc, updateLimits.maxUpdateBytes)
      } else if ('catchUp' in v) {
        if (catchUp) catchUp(v.catchUp, send, (r) => guard.strike(r))
      }
      drop()
    })
    wrapped.set(id, { conn, guard, send })
  }

  const sweep = () => {
    const conns = provider.room?.webrtcConns
    if (!conns) return
    for (const [id, conn] of conns) wrap(id, conn)
    for (const id of wrapped.keys()) if (conns.get(id) !== wrapped.get(id)!.conn) wrapped.delete(id)
  }
  provider.on('peers', sweep)
  sweep()

  const resyncMs = p.resyncMs ?? 30_000
  const timer =
    resyncMs > 0
      ? setInterval(() => {
          sweep()
          const sv = Y.encodeStateVector(provider.doc)
          const msg = syncStep1(sv)
          for (const w of wrapped.values()) if (w.conn.connected) w.send(msg)
        }, resyncMs)
      : undefined

  return {
    setCatchUpHandler(handler) {
      catchUp = handler
    },
    send(peerId, message) {
      const w = wrapped.get(peerId)
      if (!w?.conn.connected) return false
      w.send(message)
      return true
    },
    connectedPeers: () => [...wrapped].filter(([, w]) => w.conn.connected).map(([id]) => id),
    report: () =>
      [...wrapped].map(([peerId, w]) => ({ peerId, connected: w.conn.connected, stats: w.guard.stats })),
    banned,
    destroy() {
      if (timer) clearInterval(timer)
      provider.off('peers', sweep)
    },
  }
}

/** y-webrtc's sync step 1 message: `varuint 0 (sync) ‖ varuint 0 (step 1) ‖ varuint length ‖ state vector`. */
export function syncStep1(stateVector: Uint8Array): Uint8Array {
  const len: number[] = []
  let n = stateVector.length
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  len.push(n)
  const out = new Uint8Array(2 + len.length + stateVector.length)
  out.set(len, 2)
  out.set(stateVector, 2 + len.length)
  return out
}
