import type { Awareness } from 'y-protocols/awareness'
import { backgroundTimer } from './backgroundTimer.ts'

export type AwarenessChange = { added: number[]; updated: number[]; removed: number[] }
export type AwarenessHandler = (change: AwarenessChange, origin: unknown) => void

export type LimitForwardingParameters = {
  awareness: Awareness
  /** the transport's own handler of the awareness's 'update' event: sends the changed clients' states */
  send: AwarenessHandler
  /** changes this transport itself applied (it never sends those back) */
  ownOrigin?: unknown
  /** least time between two forwards of other clients' states (ms) */
  everyMs?: number
  /**
   * whether this client's own changes wait for the next forward too (asked per change; its removal on unload never
   * waits); default: never (relayReach.ts says when the relay's copy can wait)
   */
  deferOwn?: () => boolean
}

/**
 * y-webrtc and the Hocuspocus provider send every awareness change to every connection, the ones just received
 * from a peer too: in a mesh of n peers plus a relay, each heartbeat and presence update of one peer came back to
 * every peer ~n times (bench:sync, 5 contexts: ~10 % of a live tab's CPU in encoding, encrypting, decrypting and
 * applying awareness echoes it already had). Through this, a transport sends this client's own changes at once,
 * as before, and forwards other clients' changes — which bridge peers that reach each other only through another
 * transport or a neighbour — at most once per `everyMs` (default 1 s, a quarter of the 4 s after which a silent
 * peer shows offline), the latest state of every client changed meanwhile in one message.
 */
export function limitForwarding(p: LimitForwardingParameters): { handler: AwarenessHandler; stop(): void } {
  const everyMs = p.everyMs ?? 1000
  const pending = new Set<number>()
  let cancel: (() => void) | undefined
  let stopped = false
  const forward = () => {
    cancel = undefined
    if (stopped || pending.size === 0) return
    const states = p.awareness.getStates()
    const updated: number[] = []
    const removed: number[] = []
    for (const c of pending) (states.has(c) ? updated : removed).push(c)
    pending.clear()
    p.send({ added: [], updated, removed }, 'forward')
  }
  const handler: AwarenessHandler = (change, origin) => {
    if (stopped || (p.ownOrigin !== undefined && origin === p.ownOrigin)) return
    const me = p.awareness.clientID
    const all = [...change.added, ...change.updated, ...change.removed]
    const own = all.includes(me)
    if (own && !change.removed.includes(me) && (p.deferOwn?.() ?? false)) for (const c of all) pending.add(c)
    else if (own) {
      // our own state (set locally, or removed on unload): at once, as the transport did
      p.send(
        {
          added: [],
          updated: change.updated.filter((c) => c === me).concat(change.added.filter((c) => c === me)),
          removed: change.removed.filter((c) => c === me),
        },
        origin,
      )
      for (const c of all) if (c !== me) pending.add(c)
    } else for (const c of all) pending.add(c)
    if (pending.size > 0) cancel ??= backgroundTimer(forward, everyMs)
  }
  return {
    handler,
    stop() {
      stopped = true
      cancel?.()
      cancel = undefined
      pending.clear()
    },
  }
}
