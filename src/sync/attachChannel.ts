import type { WebrtcProvider } from 'y-webrtc'
import type { Replica } from '../core/replica.ts'
import { CatchUp } from './catchUp.ts'
import type { ChannelDoc } from './channelDoc.ts'
import type { ProviderGuard } from './guardProvider.ts'
import { type PeerPresence, startPresence } from './presence.ts'

export type AttachChannelParameters = {
  provider: WebrtcProvider
  guard: ProviderGuard
  channelDoc: ChannelDoc
  replica: Replica
  /** the local participant's index (what its presence claims) */
  participant: number
  /** this browser follows read-only: its presence says so and is not counted as the participant online */
  follows?: boolean
  /** how often wants are sent to neighbours (ms) */
  catchUpMs?: number
  /** neighbours asked per round */
  fanout?: number
}

export type AttachChannelReturnType = {
  catchUp: CatchUp
  /** other peers' presence, sanitised and set beside this replica's knowledge */
  peers(): PeerPresence[]
  detach(): void
}

/**
 * Runs a live channel over a guarded room: presence in awareness (heads and own seq), heads of others turned into
 * wants, and a catch-up tick that asks a few connected neighbours for wanted blocks by id and answers their
 * wants. Replies are validated like everything else; a neighbour whose replies carry invalid blocks collects
 * strikes in its PeerGuard.
 */
export function attachChannel(p: AttachChannelParameters): AttachChannelReturnType {
  const catchUp = new CatchUp({ channelDoc: p.channelDoc })
  p.guard.setCatchUpHandler((msg, reply, strike) => {
    const r = catchUp.handle(msg)
    if (r.malformed) strike('bad-catch-up')
    for (let i = 0; i < r.rejected; i++) strike('bad-catch-up')
    if (r.reply) reply(r.reply)
  })
  const presence = startPresence({
    awareness: p.provider.awareness,
    replica: p.replica,
    channelDoc: p.channelDoc,
    participant: p.participant,
    follows: p.follows === true,
  })
  const fanout = p.fanout ?? 3
  const tick = setInterval(() => {
    p.channelDoc.pullParked()
    const msg = catchUp.request()
    if (!msg) return
    const peers = p.guard.connectedPeers()
    for (let i = 0; i < fanout && peers.length > 0; i++) {
      const [peer] = peers.splice(Math.floor(Math.random() * peers.length), 1)
      p.guard.send(peer!, msg)
    }
  }, p.catchUpMs ?? 2000)
  return {
    catchUp,
    peers: presence.peers,
    detach() {
      clearInterval(tick)
      presence.stop()
      p.guard.setCatchUpHandler(undefined)
    },
  }
}
