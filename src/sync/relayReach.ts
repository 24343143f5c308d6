import { noteClocks } from './heldUpdate.ts'

export type RelayReachParameters = {
  /** the channel's participants (n) */
  participants: number
  /** WebRTC connections open now */
  webrtcPeers: () => number
  now?: () => number
  /** a writer heard longer ago than this no longer counts (ms); default 60 s */
  recentMs?: number
  /** this many updates in a row of one writer arriving through a relay first mark it as reached that way; default 4 */
  streak?: number
}

export type RelayReach = {
  /**
   * Notes which transport brought an update first (the doc applies only the first copy: the later ones are dropped
   * as held by the guards). `viaRelay` is false for WebRTC; updates made here are not noted.
   */
  noteArrival(update: Uint8Array, viaRelay: boolean): void
  /** whether updates made here must reach the relays at once rather than with the next merged forward */
  ownAtOnce(): boolean
}

/** writers followed at most (an honest doc has one per tab ever opened); past it the oldest notes are dropped */
const MAX_WRITERS = 1024

/**
 * When this participant's own blocks must reach the relays at once. A relay carries every block a second time next
 * to WebRTC: in a full mesh each peer already has it, and the relay's copy costs every renderer (and the relay) a
 * send, a receive and a skim per block for nothing. So while WebRTC connects us to every other participant
 * (≥ n − 1 connections open) and no writer heard lately depends on a relay (its last `streak` updates all came
 * through one first), own updates go to the relays merged with the once-a-second forward of peers' updates; a
 * participant who reaches us only through a relay shows as such within `streak` of its updates and gets ours at
 * once again, as does everyone while a WebRTC connection is missing. Nothing here decides state: it only says how
 * soon a copy is sent, and the once-a-second forward and the resyncs still carry everything.
 */
export function relayReach(p: RelayReachParameters): RelayReach {
  const now = p.now ?? (() => performance.now())
  const recentMs = p.recentMs ?? 60_000
  const streak = p.streak ?? 4
  // writer (Yjs client) → when last heard and how many of its updates in a row came through a relay first
  const writers = new Map<number, { heard: number; relayFirst: number }>()
  return {
    noteArrival(update, viaRelay) {
      const clients = new Map<number, number>()
      noteClocks(update, clients)
      const t = now()
      for (const client of clients.keys()) {
        const w = writers.get(client)
        const relayFirst = viaRelay ? (w?.relayFirst ?? 0) + 1 : 0
        // re-inserted: the map stays ordered by last heard, oldest first
        writers.delete(client)
        writers.set(client, { heard: t, relayFirst })
      }
      while (writers.size > MAX_WRITERS) writers.delete(writers.keys().next().value!)
    },
    ownAtOnce() {
      if (p.webrtcPeers() < p.participants - 1) return true
      const since = now() - recentMs
      for (const w of writers.values()) if (w.heard >= since && w.relayFirst >= streak) return true
      return false
    },
  }
}
