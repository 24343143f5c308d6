import { IndexeddbPersistence } from 'y-indexeddb'
import { WebrtcProvider } from 'y-webrtc'
import * as Y from 'yjs'
import { type AwarenessHandler, limitForwarding } from './awarenessForward.ts'
import { guardProvider, type ProviderGuard } from './guardProvider.ts'
import type { PeerLimits } from './peerGuard.ts'
import { joinRelay, type RelayLink, relayDocName } from './relay.ts'

export type JoinRoomParameters = {
  room: string
  password: string
  signaling: string[]
  /** IndexedDB database name for this doc (one per channel and participant) */
  persistAs: string
  /** ICE servers; none are needed on a LAN or loopback */
  iceServers?: RTCIceServer[]
  /** per-connection limits of the guard in front of y-webrtc (guardProvider.ts) */
  limits?: Partial<PeerLimits>
  /** Hocuspocus relays (relay.ts) carrying the same doc next to WebRTC; either may be down */
  relay?: string[]
}

export type Room = {
  doc: Y.Doc
  provider: WebrtcProvider
  persistence: IndexeddbPersistence
  /** checks every WebRTC message before y-webrtc decodes it; attachChannel() adds catch-up once live */
  guard: ProviderGuard
  /** one guarded link per relay URL, sharing the doc and y-webrtc's awareness */
  relays: RelayLink[]
  /** resolves once the doc's IndexedDB copy is loaded */
  loaded: Promise<void>
  /** peers currently connected over WebRTC */
  peerCount(): number
  destroy(): void
}

/**
 * Joins a channel's room: one Y.Doc persisted in IndexedDB and synced over y-webrtc (signaling servers only
 * introduce peers; the room password encrypts signaling) and, when relays are given, through each of them too
 * (an untrusted pipe like WebRTC, guarded per message). The doc is a pipe: ChannelDoc and Lobby validate
 * everything read from it.
 */
export function joinRoom(p: JoinRoomParameters): Room {
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(p.persistAs, doc)
  const provider = new WebrtcProvider(p.room, doc, {
    signaling: p.signaling,
    password: p.password,
    peerOpts: { config: { iceServers: p.iceServers ?? [] } },
  })
  // installed before the first signaling message can create a connection
  const guard = guardProvider({ provider, ...(p.limits ? { limits: p.limits } : {}) })
  const name = relayDocName(p.room, p.password)
  const relays = (p.relay ?? []).map((url) => joinRelay({ url, name, doc, awareness: provider.awareness }))
  const forwarding = limitWebrtcForwarding(provider)
  return {
    doc,
    provider,
    persistence,
    guard,
    relays,
    loaded: persistence.whenSynced.then(() => undefined),
    peerCount: () => provider.room?.webrtcConns.size ?? 0,
    destroy() {
      forwarding.stop()
      for (const r of relays) r.destroy()
      guard.destroy()
      provider.destroy()
      void persistence.destroy()
      doc.destroy()
    },
  }
}

/**
 * y-webrtc's room sends every awareness change to every connection, other peers' too: through limitForwarding
 * (awarenessForward.ts) it sends ours at once and forwards others' at most once a second. The room exists once the
 * provider derived its key; its handler is swapped then (the room registers it again on each connect).
 */
function limitWebrtcForwarding(provider: WebrtcProvider): { stop(): void } {
  let stopped = false
  let limited: { stop(): void } | undefined
  const withKey = (provider as unknown as { key: PromiseLike<unknown> }).key
  void withKey.then(() => {
    const room = provider.room as unknown as { _awarenessUpdateHandler: AwarenessHandler } | null
    if (stopped || !room) return
    const awareness = provider.awareness
    const original = room._awarenessUpdateHandler
    const observers = (awareness as unknown as { _observers: Map<string, Set<unknown>> })._observers
    const registered = observers.get('update')?.has(original) ?? false
    const l = limitForwarding({ awareness, send: original })
    limited = l
    room._awarenessUpdateHandler = l.handler
    if (registered) {
      awareness.off('update', original)
      awareness.on('update', l.handler)
    }
  })
  return {
    stop() {
      stopped = true
      limited?.stop()
    },
  }
}
