import { describe, expect, it } from 'vitest'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { type AwarenessChange, limitForwarding } from './awarenessForward.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** a peer's awareness with a heartbeat, encoded as a transport carries it */
function peer() {
  const a = new Awareness(new Y.Doc())
  return {
    a,
    beat(n: number) {
      a.setLocalStateField('hb', n)
      return encodeAwarenessUpdate(a, [a.clientID])
    },
  }
}

describe('limitForwarding: own awareness changes at once, others batched', () => {
  it('sends our change at once and forwards peers’ changes once per window, with their latest state', async () => {
    const me = new Awareness(new Y.Doc())
    const sent: { change: AwarenessChange; origin: unknown }[] = []
    const limited = limitForwarding({
      awareness: me,
      send: (change, origin) => sent.push({ change, origin }),
      everyMs: 40,
    })
    me.on('update', limited.handler)
    me.setLocalStateField('hb', 1)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.change.updated.concat(sent[0]!.change.added)).toEqual([me.clientID])
    // two peers beat three times each within the window: nothing is forwarded yet
    const [b, c] = [peer(), peer()]
    for (let i = 1; i <= 3; i++) {
      applyAwarenessUpdate(me, b.beat(i), 'room')
      applyAwarenessUpdate(me, c.beat(i), 'room')
    }
    expect(sent).toHaveLength(1)
    await sleep(80)
    // then one message with both, whose states are the latest ones
    expect(sent).toHaveLength(2)
    expect(sent[1]!.change.updated.sort()).toEqual([b.a.clientID, c.a.clientID].sort())
    const copy = new Awareness(new Y.Doc())
    applyAwarenessUpdate(copy, encodeAwarenessUpdate(me, sent[1]!.change.updated), 'test')
    expect(copy.getStates().get(b.a.clientID)).toEqual({ hb: 3 })
    // a peer that went away is forwarded as removed
    applyAwarenessUpdate(me, b.beat(4), 'room')
    b.a.setLocalState(null)
    applyAwarenessUpdate(me, encodeAwarenessUpdate(b.a, [b.a.clientID]), 'room')
    await sleep(80)
    expect(sent[2]!.change.removed).toEqual([b.a.clientID])
    // nothing after stop
    limited.stop()
    applyAwarenessUpdate(me, c.beat(9), 'room')
    await sleep(80)
    expect(sent).toHaveLength(3)
  })

  it('never sends back what the transport itself applied', async () => {
    const me = new Awareness(new Y.Doc())
    const sent: AwarenessChange[] = []
    const relay = {}
    const limited = limitForwarding({
      awareness: me,
      send: (c) => sent.push(c),
      ownOrigin: relay,
      everyMs: 10,
    })
    me.on('update', limited.handler)
    applyAwarenessUpdate(me, peer().beat(1), relay)
    await sleep(40)
    expect(sent).toHaveLength(0)
    limited.stop()
  })

  it('holds our own changes for the forward while deferOwn says so, but never our removal', async () => {
    const me = new Awareness(new Y.Doc())
    const sent: AwarenessChange[] = []
    let defer = true
    const limited = limitForwarding({
      awareness: me,
      send: (c) => sent.push(c),
      everyMs: 40,
      deferOwn: () => defer,
    })
    me.on('update', limited.handler)
    me.setLocalStateField('hb', 1)
    me.setLocalStateField('hb', 2)
    applyAwarenessUpdate(me, peer().beat(1), 'room')
    expect(sent).toHaveLength(0)
    await sleep(80)
    // one message: our latest state beside the peer's
    expect(sent).toHaveLength(1)
    expect(sent[0]!.updated).toContain(me.clientID)
    expect(sent[0]!.updated).toHaveLength(2)
    // leaving the page goes out at once even while deferring
    me.setLocalState(null)
    expect(sent).toHaveLength(2)
    expect(sent[1]!.removed).toEqual([me.clientID])
    defer = false
    me.setLocalState({ hb: 3 })
    expect(sent).toHaveLength(3)
    limited.stop()
  })
})
