import { IndexeddbPersistence } from 'y-indexeddb'
import { WebrtcProvider } from 'y-webrtc'
import * as Y from 'yjs'

export type JoinRoomParameters = {
  room: string
  password: string
  signaling: string[]
  /** IndexedDB database name for this doc (one per channel and participant) */
  persistAs: string
  /** ICE servers; none are needed on a LAN or loopback */
  iceServers?: RTCIceServer[]
}

export type Room = {
  doc: Y.Doc
  provider: WebrtcProvider
  persistence: IndexeddbPersistence
  /** resolves once the doc's IndexedDB copy is loaded */
  loaded: Promise<void>
  /** peers currently connected over WebRTC */
  peerCount(): number
  destroy(): void
}

/**
 * Joins a channel's room: one Y.Doc persisted in IndexedDB and synced over y-webrtc (signaling servers only
 * introduce peers; the room password encrypts signaling). The doc is a pipe: ChannelDoc and Lobby validate
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
  return {
    doc,
    provider,
    persistence,
    loaded: persistence.whenSynced.then(() => undefined),
    peerCount: () => provider.room?.webrtcConns.size ?? 0,
    destroy() {
      provider.destroy()
      void persistence.destroy()
      doc.destroy()
    },
  }
}
