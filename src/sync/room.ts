import { IndexeddbPersistence } from 'y-indexeddb'
import { WebrtcProvider } from 'y-webrtc'
import * as Y from 'yjs'
import { type AwarenessHandler, limitForwarding } from './awarenessForward.ts'
import { batchedStore } from './batchedStore.ts'
import { guardProvider, type ProviderGuard } from './guardProvider.ts'
import type { PeerLimits } from './peerGuard.ts'
import { joinRelay, type RelayLink, relayDocName } from './relay.ts'
import { relayReach } from './relayReach.ts'
import { limitUpdateForwarding, type UpdateHandler } from './updateForward.ts'

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
  /**
   * the channel's participant count: with it, our own updates reach the relays merged with the once-a-second
   * forward while WebRTC connects us to every other participant and nobody depends on a relay (relayReach.ts);
   * without it, at once
   */
  participants?: number
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
  // the doc's copy written at most every 250 ms, merged, instead of one IndexedDB transaction per update
  const idb = persistence as unknown as { _storeUpdate: (update: Uint8Array, origin: unknown) => void }
  const stored = batchedStore({ store: idb._storeUpdate, ownOrigin: persistence })
  doc.off('update', idb._storeUpdate)
  idb._storeUpdate = stored.handler
  doc.on('update', stored.handler)
  const provider = new WebrtcProvider(p.room, doc, {
    signaling: p.signaling,
    password: p.password,
    peerOpts: { config: { iceServers: p.iceServers ?? [] } },
  })
  // installed before the first signaling message can create a connection
  const guard = guardProvider({ provider, ...(p.limits ? { limits: p.limits } : {}) })
  const name = relayDocName(p.room, p.password)
  // updates any transport received from a peer (forwarded by the others at most once a second: updateForward.ts)
  const fromPeer = (origin: unknown) =>
    origin != null && (origin === provider.room || relays.some((r) => r.provider === origin))
  const relays: RelayLink[] = []
  const reach =
    p.participants !== undefined && (p.relay ?? []).length > 0
      ? relayReach({ participants: p.participants, webrtcPeers: () => provider.room?.webrtcConns.size ?? 0 })
      : undefined
  // which transport brought each peer's update first (the guards drop the later copies before the doc sees them)
  const noteArrival = (update: Uint8Array, origin: unknown) => {
    if (origin == null) return
    if (origin === provider.room) reach?.noteArrival(update, false)
    else if (relays.some((r) => r.provider === origin)) reach?.noteArrival(update, true)
  }
  if (reach) doc.on('update', noteArrival)
  const ownAtOnce = reach ? () => reach.ownAtOnce() : undefined
  for (const url of p.relay ?? [])
    relays.push(
      joinRelay({
        url,
        name,
        doc,
        awareness: provider.awareness,
        fromPeer,
        ...(ownAtOnce ? { ownAtOnce } : {}),
      }),
    )
  const forwarding = limitWebrtcForwarding(provider, fromPeer)
  return {
    doc,
    provider,
    persistence,
    guard,
    relays,
    loaded: persistence.whenSynced.then(() => undefined),
    peerCount: () => provider.room?.webrtcConns.size ?? 0,
    destroy() {
      doc.off('update', noteArrival)
      forwarding.stop()
      for (const r of relays) r.destroy()
      guard.destroy()
      provider.destroy()
      stored.stop()
      void persistence.destroy()
      doc.destroy()
    },
  }
}

/**
 * y-webrtc's room sends every awareness change and every doc update to every connection, other peers' too: through
 * limitForwarding (awarenessForward.ts) and limitUpdateForwarding (updateForward.ts) it sends ours at once and
 * forwards peers' at most once a second. The room exists once the provider derived its key; its handlers are
 * swapped then (the room registers them again on each connect).
 */
function limitWebrtcForwarding(
  provider: WebrtcProvider,
  fromPeer: (origin: unknown) => boolean,
): { stop(): void } {
  let stopped = false
  const limited: { stop(): void }[] = []
  const withKey = (provider as unknown as { key: PromiseLike<unknown> }).key
  void withKey.then(() => {
    const room = provider.room as unknown as
      | (BcRoom & { _awarenessUpdateHandler: AwarenessHandler; _docUpdateHandler: UpdateHandler })
      | null
    if (stopped || !room) return
    const awareness = provider.awareness
    const original = room._awarenessUpdateHandler
    const l = limitForwarding({ awareness, send: bcOnlyWithPeers(room, original) })
    limited.push(l)
    room._awarenessUpdateHandler = l.handler
    swapListener(awareness, original, l.handler)
    const doc = provider.doc
    const originalDoc = room._docUpdateHandler
    const u = limitUpdateForwarding({ send: bcOnlyWithPeers(room, originalDoc), fromPeer })
    limited.push(u)
    room._docUpdateHandler = u.handler
    swapListener(doc, originalDoc, u.handler)
  })
  return {
    stop() {
      stopped = true
      for (const l of limited) l.stop()
    },
  }
}

/** What y-webrtc's room knows of its BroadcastChannel: whether it is subscribed, and the other tabs heard there. */
type BcRoom = { bcconnected: boolean; bcConns: Set<string> }

/**
 * y-webrtc sends every message over the BroadcastChannel too, encrypted with the room key, and lib0 hands each one
 * back to the sending tab's own subscriber, which decrypts it before dropping it: ~30 ms of a renderer's second in
 * bench:sync (5 contexts, one tab each) for no receiver. Through this, a room handler sends there only while other
 * tabs of this browser profile are in the room (they announce themselves on the channel when they connect, and
 * sync from scratch over it then).
 */
function bcOnlyWithPeers<A extends unknown[]>(room: BcRoom, send: (...a: A) => void): (...a: A) => void {
  return (...a: A) => {
    const subscribed = room.bcconnected
    if (room.bcConns.size === 0) room.bcconnected = false
    try {
      send(...a)
    } finally {
      room.bcconnected = subscribed
    }
  }
}

/** Replaces `original` by `replacement` among the 'update' listeners of a lib0 Observable, if it is one of them. */
function swapListener(
  target: { off(e: 'update', f: never): void; on(e: 'update', f: never): void },
  original: unknown,
  replacement: unknown,
): boolean {
  const observers = (target as unknown as { _observers: Map<string, Set<unknown>> })._observers
  if (!(observers.get('update')?.has(original) ?? false)) return false
  target.off('update', original as never)
  target.on('update', replacement as never)
  return true
}
