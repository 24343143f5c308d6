import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { relayReach } from './relayReach.ts'

/** one block entry of a writer (its own Yjs client), as a transport brings it */
function writer() {
  const d = new Y.Doc()
  let k = 0
  return {
    client: d.clientID,
    next(): Uint8Array {
      const before = Y.encodeStateVector(d)
      d.getMap<Uint8Array>('blocks').set(`b${k++}`, new Uint8Array([k]))
      return Y.encodeStateAsUpdate(d, before)
    },
  }
}

describe('relayReach: when our own blocks must reach the relay at once', () => {
  it('at once while a WebRTC connection to another participant is missing', () => {
    let peers = 3
    const reach = relayReach({ participants: 5, webrtcPeers: () => peers })
    expect(reach.ownAtOnce()).toBe(true)
    peers = 4
    expect(reach.ownAtOnce()).toBe(false)
  })

  it('at once when a writer’s last updates all came through the relay first, until one comes over WebRTC', () => {
    const reach = relayReach({ participants: 3, webrtcPeers: () => 2, streak: 4 })
    const a = writer()
    const b = writer()
    for (let i = 0; i < 3; i++) reach.noteArrival(a.next(), true)
    // interleaved WebRTC arrivals of another writer change nothing for `a`
    reach.noteArrival(b.next(), false)
    expect(reach.ownAtOnce()).toBe(false)
    reach.noteArrival(a.next(), true)
    expect(reach.ownAtOnce()).toBe(true)
    reach.noteArrival(a.next(), false)
    expect(reach.ownAtOnce()).toBe(false)
  })

  it('a writer not heard for recentMs no longer counts', () => {
    let t = 0
    const reach = relayReach({ participants: 2, webrtcPeers: () => 1, now: () => t, recentMs: 1000 })
    const a = writer()
    for (let i = 0; i < 4; i++) reach.noteArrival(a.next(), true)
    expect(reach.ownAtOnce()).toBe(true)
    t = 1001
    expect(reach.ownAtOnce()).toBe(false)
    reach.noteArrival(a.next(), true)
    expect(reach.ownAtOnce()).toBe(true)
  })

  it('one sync through the relay that holds many writers marks none of them', () => {
    const reach = relayReach({ participants: 4, webrtcPeers: () => 3 })
    const doc = new Y.Doc()
    for (let i = 0; i < 6; i++) Y.applyUpdate(doc, writer().next())
    reach.noteArrival(Y.encodeStateAsUpdate(doc), true)
    expect(reach.ownAtOnce()).toBe(false)
  })
})
