import { IndexeddbPersistence } from 'y-indexeddb'
import { WebrtcProvider } from 'y-webrtc'
import * as Y from 'yjs'
import type { Hex } from '../core/bytes.ts'
import type { Replica } from '../core/replica.ts'
import { attachChannel } from './attachChannel.ts'
import type { CatchUp } from './catchUp.ts'
import { ChannelDoc, type ChannelDocParameters, type ClientRecord } from './channelDoc.ts'
import { guardProvider, type PeerReport, type ProviderGuard } from './guardProvider.ts'
import type { PeerLimits } from './peerGuard.ts'
import type { PeerPresence } from './presence.ts'

export type ConnectChannelParameters = {
  replica: Replica
  /** the local participant's index: its presence, and its blocks only published once durable */
  participant: number
  signaling: string[]
  /** y-webrtc room: random per channel, derived from the invite secret (core/invite.roomOf) */
  roomName: string
  /** from the invite link; encrypts signaling and same-browser traffic */
  password: string
  /** IndexedDB database for the Y.Doc (default: one per room and participant) */
  persistAs?: string
  /** this participant's durable own blocks (ownBlocks.ts), re-published once the doc is loaded */
  loadOwnBlocks?: () => Promise<Uint8Array[]>
  /** simple-peer options; no STUN/TURN by default (LAN, loopback) */
  peerOpts?: Record<string, unknown>
  /** WebRTC connections per peer (y-webrtc's default is 20–34) */
  maxConns?: number
  limits?: Partial<PeerLimits>
  resyncMs?: number
  catchUpMs?: number
  /** ChannelDoc tuning (flag threshold, batch size …) */
  docOptions?: Partial<Omit<ChannelDocParameters, 'doc' | 'replica' | 'ownAuthor'>>
}

export type ChannelConnection = {
  doc: Y.Doc
  channelDoc: ChannelDoc
  provider: WebrtcProvider
  persistence: IndexeddbPersistence
  guard: ProviderGuard
  catchUp: CatchUp
  /** resolves once the doc's IndexedDB copy is validated and the durable own blocks are published */
  ready: Promise<void>
  peers(): PeerPresence[]
  /** publishes a block sealed by this participant — call only after the own-block store made it durable */
  publishOwn(bytes: Uint8Array): Hex
  stats(): { doc: ChannelDoc['stats']; flagged: ClientRecord[]; peers: PeerReport[]; banned: string[] }
  destroy(): void
}

/**
 * Connects a replica to its channel's room in the browser: a Y.Doc persisted with y-indexeddb and synced with
 * y-webrtc, every connection guarded (guardProvider), the doc bound to the replica (ChannelDoc: nothing read
 * unvalidated, repairs, charged writers), presence in awareness and catch-up by id (attachChannel). The
 * ChannelDoc observes before IndexedDB loads, so stored entries are validated like remote ones; own blocks from
 * the durable store are ingested after the load, so only those missing from the doc are written again.
 */
export function connectChannel(p: ConnectChannelParameters): ChannelConnection {
  const doc = new Y.Doc()
  const channelDoc = new ChannelDoc({
    batchSize: 512,
    schedule: (f) => setTimeout(f, 0),
    ...p.docOptions,
    doc,
    replica: p.replica,
    ownAuthor: p.participant,
  })
  const persistence = new IndexeddbPersistence(p.persistAs ?? `chx-doc-${p.roomName}-${p.participant}`, doc)
  const provider = new WebrtcProvider(p.roomName, doc, {
    signaling: p.signaling,
    password: p.password,
    peerOpts: p.peerOpts ?? { config: { iceServers: [] } },
    ...(p.maxConns === undefined ? {} : { maxConns: p.maxConns }),
  })
  // installed before the first signaling message can create a connection
  const guard = guardProvider({
    provider,
    ...(p.limits ? { limits: p.limits } : {}),
    ...(p.resyncMs === undefined ? {} : { resyncMs: p.resyncMs }),
  })
  const live = attachChannel({
    provider,
    guard,
    channelDoc,
    replica: p.replica,
    participant: p.participant,
    ...(p.catchUpMs === undefined ? {} : { catchUpMs: p.catchUpMs }),
  })
  const ready = persistence.whenSynced.then(async () => {
    channelDoc.ingestDurable(p.loadOwnBlocks ? await p.loadOwnBlocks() : [])
  })
  return {
    doc,
    channelDoc,
    provider,
    persistence,
    guard,
    catchUp: live.catchUp,
    ready,
    peers: live.peers,
    publishOwn: (bytes) => channelDoc.publishOwn(bytes),
    stats: () => ({
      doc: channelDoc.stats,
      flagged: channelDoc.flaggedClients(),
      peers: guard.report(),
      banned: [...guard.banned],
    }),
    destroy() {
      live.detach()
      guard.destroy()
      channelDoc.destroy()
      provider.destroy()
      void persistence.destroy()
      doc.destroy()
    },
  }
}
