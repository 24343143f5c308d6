import { roomOf } from '../core/invite.ts'
import { ChannelRuntime, type StartRoomParameters } from './runtime.ts'

type Held = { runtime: ChannelRuntime; me: string; refs: number; timer?: ReturnType<typeof setTimeout> }
/** the page's runtimes by room: y-webrtc allows one provider per room name in a page */
const held = new Map<string, Held>()

export type RuntimeLease = { runtime: ChannelRuntime; release(): void }

/**
 * The page's runtime for (channel, wallet): created on first use, shared by every holder, destroyed once the last
 * lease is released and nobody took a new one within `lingerMs`. So React StrictMode's mount → unmount → mount of
 * an effect keeps one runtime (one room, one IndexedDB connection, one writer lock) instead of destroying the one
 * in use and opening a second room for the same doc. Switching wallets destroys the idle runtime of the other
 * wallet first; two wallets holding one channel at once in a page is refused.
 */
export function acquireRuntime(p: StartRoomParameters, lingerMs = 0): RuntimeLease {
  const room = roomOf(p.invite).room
  const me = p.me.toLowerCase()
  let h = held.get(room)
  if (h && h.me !== me) {
    if (h.refs > 0) throw new Error('this channel is already open in this page for another wallet')
    clearTimeout(h.timer)
    held.delete(room)
    h.runtime.destroy()
    h = undefined
  }
  if (!h) {
    h = { runtime: new ChannelRuntime(p), me, refs: 0 }
    held.set(room, h)
  }
  const entry = h
  clearTimeout(entry.timer)
  entry.timer = undefined
  entry.refs++
  let released = false
  return {
    runtime: entry.runtime,
    release() {
      if (released) return
      released = true
      if (--entry.refs > 0) return
      entry.timer = setTimeout(() => {
        if (entry.refs > 0 || held.get(room) !== entry) return
        held.delete(room)
        entry.runtime.destroy()
      }, lingerMs)
    },
  }
}
