import * as Y from 'yjs'
import { backgroundTimer } from './backgroundTimer.ts'

export type UpdateHandler = (update: Uint8Array, origin: unknown) => void

export type LimitUpdateForwardingParameters = {
  /** the transport's own handler of the doc's 'update' event: sends the update to its connections */
  send: UpdateHandler
  /** updates this transport itself applied and never sends back (the Hocuspocus provider); none for y-webrtc */
  ownOrigin?: unknown
  /** whether an update was received from a peer (over any transport): those are forwarded late, merged */
  fromPeer: (origin: unknown) => boolean
  /** least time between two forwards of peers' updates (ms) */
  everyMs?: number
  /**
   * whether the far end already holds an update (the relay sent it to us meanwhile): left out of the forward, which
   * is not sent at all when nothing is left; default: none is
   */
  has?: (update: Uint8Array) => boolean
  /**
   * whether updates made here wait for the next forward too, merged with it (asked per update); default: never, they
   * are sent at once (relayReach.ts says when a relay's copy of our own blocks can wait)
   */
  deferOwn?: () => boolean
}

/** the origin the merged forward is sent with */
export const FORWARDED = 'forwarded'

/**
 * y-webrtc sends every doc update to every connection, the ones just received from a peer too, and the Hocuspocus
 * provider sends the relay every update another transport brought: in a full mesh of n peers each block reached
 * every peer ~n times (bench:sync, 5 contexts: one send, decode, guard check and apply per echo, on every renderer
 * at every block). Through this, a transport sends updates made here (our blocks, repairs, the lobby) at once, as
 * before, and forwards peers' updates — which bridge peers that reach each other only through a neighbour or
 * another transport — at most once per `everyMs` (default 1 s), all of them merged into one update. Nothing is
 * lost: a peer that got a block directly applies the forward as a no-op; catch-up by id and the state-vector
 * resyncs still heal what a dropped message missed.
 */
export function limitUpdateForwarding(p: LimitUpdateForwardingParameters): {
  handler: UpdateHandler
  stop(): void
} {
  const everyMs = p.everyMs ?? 1000
  let pending: Uint8Array[] = []
  let cancel: (() => void) | undefined
  let stopped = false
  const forward = () => {
    cancel = undefined
    if (stopped || pending.length === 0) return
    const has = p.has
    const batch = has ? pending.filter((u) => !has(u)) : pending
    pending = []
    if (batch.length === 0) return
    p.send(batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch), FORWARDED)
  }
  const handler: UpdateHandler = (update, origin) => {
    if (stopped || (p.ownOrigin !== undefined && origin === p.ownOrigin)) return
    if (!p.fromPeer(origin) && !(p.deferOwn?.() ?? false)) return p.send(update, origin)
    pending.push(update)
    cancel ??= backgroundTimer(forward, everyMs)
  }
  return {
    handler,
    stop() {
      stopped = true
      cancel?.()
      cancel = undefined
      pending = []
    },
  }
}
