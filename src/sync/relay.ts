import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { Awareness } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { toHex } from '../core/bytes.ts'
import { keccak256 } from '../core/hash.ts'
import { type AwarenessHandler, limitForwarding } from './awarenessForward.ts'
import { coveredBy, noteClocks, updateHeld } from './heldUpdate.ts'
import type { PeerLimits } from './peerGuard.ts'
import { RelayGuard } from './relayGuard.ts'
import { limitUpdateForwarding, type UpdateHandler } from './updateForward.ts'
import { trimPending } from './updateGuard.ts'

/** The WebSocket constructor the provider uses: the browser's, or `ws` in Node. */
// biome-ignore lint/suspicious/noExplicitAny: a WebSocket class of either environment
export type WebSocketClass = new (url: string) => any

export type JoinRelayParameters = {
  url: string
  /** the channel's document name on the relay (relayDocName) */
  name: string
  doc: Y.Doc
  /**
   * awareness shared with the other transports (y-webrtc's), so presence and heartbeats cross between peers that
   * only reach each other through the relay; default: one of its own
   */
  awareness?: Awareness
  limits?: Partial<PeerLimits>
  /** default: globalThis.WebSocket */
  WebSocket?: WebSocketClass
  /** a state-vector exchange with the relay this often (ms): heals what a flaky or lying relay dropped */
  resyncMs?: number
  now?: () => number
  /**
   * whether a doc update came from a peer through another transport (y-webrtc, another relay): those reach the
   * relay at most once a second, merged (updateForward.ts); default: none, every update is sent at once
   */
  fromPeer?: (origin: unknown) => boolean
  /** least time between two such forwards (ms); default 1 s */
  forwardMs?: number
  /**
   * whether updates made here (doc updates and this client's awareness) go to the relay at once (asked per update);
   * when not, they wait for the next forward, merged with it (relayReach.ts); default: always at once
   */
  ownAtOnce?: () => boolean
  /**
   * how long a relay past its strike limit stays closed before it is tried again (ms), doubled at each further ban
   * up to MAX_BAN_MS; default 5 s
   */
  banMs?: number
}

/** client ids whose clocks a relay link notes at most (an honest doc has one per tab ever opened) */
const MAX_NOTED_CLIENTS = 4096

/** the longest cool-down of a relay that keeps misbehaving */
export const MAX_BAN_MS = 5 * 60_000

export type RelayStatus = 'connecting' | 'connected' | 'disconnected' | 'banned'

export type RelayLink = {
  readonly url: string
  readonly guard: RelayGuard
  readonly provider: HocuspocusProvider
  status(): RelayStatus
  /** how often this relay went past its strike limit and was closed for a cool-down */
  bans(): number
  /** closes the connection and stops reconnecting, until connect() (tests, a user taking the relay off) */
  disconnect(): void
  connect(): void
  destroy(): void
}

const enc = new TextEncoder()

/**
 * The channel's document name on a relay, derived from the room name and the room password (both from the
 * invite secret): only invitees can find the doc, and the name says nothing about the channel.
 */
export function relayDocName(room: string, password: string): string {
  return `chx-${toHex(keccak256(enc.encode(`relay\u0000${room}\u0000${password}`))).slice(2, 42)}`
}

/**
 * Joins the channel doc through a Hocuspocus relay, next to (not instead of) WebRTC: the same Y.Doc, so
 * ChannelDoc sees one stream of entries whichever transport brought them. Every message from the relay passes a
 * RelayGuard before the provider decodes it (a WebSocket wrapper installed as the provider's WebSocket class).
 * A relay past its strike limit is closed for a cool-down (`banMs`, doubled at each further ban up to MAX_BAN_MS),
 * then tried again with its strikes forgiven: closing it for good would cut off a participant whose only route to
 * the others it is (a forging relay still carries the honest blocks, and every byte it sends is checked anyway),
 * while the doubling bounds what a relay that keeps lying costs. A relay that is down costs a reconnect attempt with
 * backoff and nothing else; it never throws into the caller.
 */
export function joinRelay(p: JoinRelayParameters): RelayLink {
  const now = p.now ?? (() => performance.now())
  // every block also comes over WebRTC, and the relay sends each update back to its sender too: a copy of what the
  // doc holds is dropped by the guard before anything decodes it (heldUpdate.ts)
  const guard = new RelayGuard({
    documentName: p.name,
    ...(p.limits ? { limits: p.limits } : {}),
    now,
    held: (u) => {
      noteClocks(u, relayHolds)
      // noted before the inspection: made-up client ids from a lying relay only cost forwards once dropped here
      if (relayHolds.size > MAX_NOTED_CLIENTS) relayHolds.clear()
      return updateHeld(p.doc, u)
    },
  })
  // what the relay showed it holds since this connection opened (client → clock): each update it sends us is in its
  // doc, with everything of those clients below. A peer's update the relay sent us too is not forwarded to it.
  const relayHolds = new Map<number, number>()
  const Base = p.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketClass)
  let banned = false
  let bans = 0
  let wanted = true
  let cooling: ReturnType<typeof setTimeout> | undefined
  let status: RelayStatus = 'connecting'
  let provider: HocuspocusProvider | undefined
  const ban = () => {
    if (banned) return
    banned = true
    status = 'banned'
    provider?.configuration.websocketProvider.disconnect()
    const ms = Math.min((p.banMs ?? 5000) * 2 ** Math.min(bans, 20), MAX_BAN_MS)
    bans++
    cooling = setTimeout(() => {
      cooling = undefined
      banned = false
      guard.peer.forgive()
      status = 'connecting'
      if (wanted) void provider?.configuration.websocketProvider.connect()
      else status = 'disconnected'
    }, ms)
  }

  /** A WebSocket whose 'message' listeners only see what the guard lets through. */
  class GuardedSocket {
    // biome-ignore lint/suspicious/noExplicitAny: either environment's socket
    private readonly ws: any
    private readonly wrapped = new Map<unknown, (e: { data: unknown }) => void>()
    identifier = 0

    constructor(url: string) {
      this.ws = new Base(url)
      if (banned) this.ws.close()
    }
    get readyState(): number {
      return this.ws.readyState
    }
    set binaryType(v: string) {
      this.ws.binaryType = v
    }
    get binaryType(): string {
      return this.ws.binaryType
    }
    send(d: Uint8Array): void {
      this.ws.send(d)
    }
    close(code?: number, reason?: string): void {
      this.ws.close(code, reason)
    }
    addEventListener(type: string, listener: (e: { data: unknown }) => void): void {
      if (type !== 'message') {
        this.ws.addEventListener(type, listener)
        return
      }
      const w = (e: { data: unknown }) => {
        if (banned) return
        const v = guard.receive(e.data)
        if ('deliver' in v) {
          try {
            listener(e)
          } catch {
            guard.peer.strike('handler-error')
          }
          trimPending(p.doc, guard.maxUpdateBytes)
        } else if ('duplicate' in v) {
          // what the provider's socket does with any message before routing it to the provider (where a copy would
          // change nothing): the first message completes a connection attempt (status 'connected'), and any is a
          // sign of life for its 30 s silence check
          socket.resolveConnectionAttempt()
          socket.lastMessageReceived = Date.now()
        }
        if (guard.shouldDisconnect) {
          ban()
          this.ws.close()
        }
      }
      this.wrapped.set(listener, w)
      this.ws.addEventListener('message', w)
    }
    removeEventListener(type: string, listener: (e: { data: unknown }) => void): void {
      if (type !== 'message') {
        this.ws.removeEventListener(type, listener)
        return
      }
      const w = this.wrapped.get(listener)
      if (w) this.ws.removeEventListener('message', w)
      this.wrapped.delete(listener)
    }
  }

  const awareness = p.awareness ?? new Awareness(p.doc)
  const shared = p.awareness !== undefined
  const socket = new HocuspocusProviderWebsocket({
    url: p.url,
    WebSocketPolyfill: GuardedSocket,
    // a relay that is down: retry every few seconds, quietly
    delay: 1000,
    maxDelay: 5000,
    onStatus: ({ status: s }) => {
      if (!banned) status = s
      // a relay back from a restart may hold nothing: the sync on connect gives it what it lacks
      if (s === 'connected') relayHolds.clear()
    },
  })
  // the provider subscribes to the awareness (some listeners anonymous): note them to unsubscribe on destroy
  const before = listenersOf(awareness)
  provider = new (relayProviderClass(shared))({
    websocketProvider: socket,
    name: p.name,
    document: p.doc,
    awareness,
    forceSyncInterval: p.resyncMs ?? 30_000,
  })
  // our own awareness changes at once (or with the forward, as own updates: relayReach.ts), others' (bridged from
  // WebRTC) at most once a second: awarenessForward.ts
  const hp = provider as unknown as { boundAwarenessUpdateHandler: AwarenessHandler }
  const forwarding = limitForwarding({
    awareness,
    send: hp.boundAwarenessUpdateHandler,
    ownOrigin: provider,
    ...(p.ownAtOnce ? { deferOwn: () => !p.ownAtOnce!() } : {}),
  })
  awareness.off('update', hp.boundAwarenessUpdateHandler)
  hp.boundAwarenessUpdateHandler = forwarding.handler
  awareness.on('update', forwarding.handler)
  // updates made here at once, peers' updates from other transports at most once a second: updateForward.ts
  const hd = provider as unknown as { boundDocumentUpdateHandler: UpdateHandler }
  const updates = limitUpdateForwarding({
    send: hd.boundDocumentUpdateHandler,
    ownOrigin: provider,
    fromPeer: p.fromPeer ?? (() => false),
    ...(p.forwardMs !== undefined ? { everyMs: p.forwardMs } : {}),
    has: (u) => coveredBy(u, (client) => relayHolds.get(client) ?? 0),
    ...(p.ownAtOnce ? { deferOwn: () => !p.ownAtOnce!() } : {}),
  })
  p.doc.off('update', hd.boundDocumentUpdateHandler)
  hd.boundDocumentUpdateHandler = updates.handler
  p.doc.on('update', updates.handler)
  provider.attach()
  const prov = provider
  const added = listenersOf(awareness).filter(([e, f]) => !before.some(([e2, f2]) => e2 === e && f2 === f))
  return {
    url: p.url,
    guard,
    provider: prov,
    status: () => status,
    bans: () => bans,
    disconnect() {
      wanted = false
      socket.disconnect()
    },
    connect() {
      wanted = true
      if (!banned) void socket.connect()
    },
    destroy() {
      wanted = false
      if (cooling !== undefined) clearTimeout(cooling)
      forwarding.stop()
      updates.stop()
      if (shared) {
        // the awareness belongs to the room: leave it (and our local state in it) to the other transport
        for (const [event, f] of added) awareness.off(event, f)
        prov.configuration.awareness = null
      }
      prov.destroy()
      socket.destroy()
    },
  }
}

type Listener = (...args: unknown[]) => void

/** The awareness's current listeners (lib0 Observable keeps them in `_observers`: event name → set). */
function listenersOf(a: Awareness): [string, Listener][] {
  const observers = (a as unknown as { _observers: Map<string, Set<Listener>> })._observers
  const out: [string, Listener][] = []
  for (const [event, set] of observers) for (const f of set) out.push([event, f])
  return out
}

/**
 * HocuspocusProvider drops every remote awareness state when its socket closes; with an awareness shared with
 * WebRTC that would hide peers still connected there, so a provider on a shared awareness leaves states to expire.
 */
function relayProviderClass(shared: boolean): typeof HocuspocusProvider {
  if (!shared) return HocuspocusProvider
  return class SharedAwarenessProvider extends HocuspocusProvider {
    override onClose(): void {
      const a = this.configuration.awareness
      this.configuration.awareness = null
      try {
        super.onClose()
      } finally {
        this.configuration.awareness = a
      }
    }
  }
}
