import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FORWARDED, limitUpdateForwarding } from './updateForward.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const PEER = { transport: 'room' }

/** a peer's doc writing one block entry, encoded as a transport carries it */
function block(key: string, bytes: number[]) {
  const d = new Y.Doc()
  d.getMap<Uint8Array>('blocks').set(key, new Uint8Array(bytes))
  return Y.encodeStateAsUpdate(d)
}

describe('limitUpdateForwarding: our updates at once, peers’ merged once per window', () => {
  it('sends a local update at once and forwards peers’ updates late, merged, with every entry', async () => {
    const me = new Y.Doc()
    const sent: { update: Uint8Array; origin: unknown }[] = []
    const limited = limitUpdateForwarding({
      send: (update, origin) => sent.push({ update, origin }),
      fromPeer: (o) => o === PEER,
      everyMs: 40,
    })
    me.on('update', limited.handler)
    me.getMap<Uint8Array>('blocks').set('own', new Uint8Array([1]))
    expect(sent).toHaveLength(1)
    expect(sent[0]!.origin).toBe(null)
    // three peers' blocks arrive within the window: none goes out yet
    for (const [k, b] of [
      ['a', 2],
      ['b', 3],
      ['c', 4],
    ] as const)
      Y.applyUpdate(me, block(k, [b]), PEER)
    expect(sent).toHaveLength(1)
    await sleep(80)
    // then one message holding all three
    expect(sent).toHaveLength(2)
    expect(sent[1]!.origin).toBe(FORWARDED)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, sent[1]!.update)
    expect([...copy.getMap('blocks').keys()].sort()).toEqual(['a', 'b', 'c'])
    // an echo of what we already hold changes nothing: nothing to forward
    Y.applyUpdate(me, Y.encodeStateAsUpdate(copy), PEER)
    await sleep(80)
    expect(sent).toHaveLength(2)
    // nothing after stop
    limited.stop()
    Y.applyUpdate(me, block('d', [5]), PEER)
    await sleep(80)
    expect(sent).toHaveLength(2)
  })

  it('leaves out what the far end already holds, and sends nothing when that is everything', async () => {
    const me = new Y.Doc()
    const sent: Uint8Array[] = []
    const held = new Set<Uint8Array>()
    const limited = limitUpdateForwarding({
      send: (update) => sent.push(update),
      fromPeer: (o) => o === PEER,
      everyMs: 40,
      has: (u) => held.has(u),
    })
    me.on('update', limited.handler)
    const seen: Uint8Array[] = []
    me.on('update', (u: Uint8Array) => seen.push(u))
    Y.applyUpdate(me, block('a', [2]), PEER)
    Y.applyUpdate(me, block('b', [3]), PEER)
    // the far end showed it holds the first (the relay sent it back) before the window ends
    held.add(seen[0]!)
    await sleep(80)
    expect(sent).toHaveLength(1)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, sent[0]!)
    expect([...copy.getMap('blocks').keys()]).toEqual(['b'])
    held.add(seen[1]!)
    Y.applyUpdate(me, block('c', [4]), PEER)
    held.add(seen[2]!)
    await sleep(80)
    expect(sent).toHaveLength(1)
    limited.stop()
  })

  it('still bridges peers that reach each other only through a neighbour', async () => {
    // A — B — C: A and C have no link; B forwards what each sends it
    const [a, b, c] = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
    const linkAB = { from: 'A' }
    const linkCB = { from: 'C' }
    const fromB = { from: 'B' }
    const bToA = limitUpdateForwarding({
      send: (u, o) => o !== linkAB && Y.applyUpdate(a, u, fromB),
      fromPeer: (o) => o === linkAB || o === linkCB,
      everyMs: 30,
    })
    const bToC = limitUpdateForwarding({
      send: (u, o) => o !== linkCB && Y.applyUpdate(c, u, fromB),
      fromPeer: (o) => o === linkAB || o === linkCB,
      everyMs: 30,
    })
    b.on('update', bToA.handler)
    b.on('update', bToC.handler)
    a.on('update', (u, o) => o !== fromB && Y.applyUpdate(b, u, linkAB))
    c.on('update', (u, o) => o !== fromB && Y.applyUpdate(b, u, linkCB))
    a.getMap<Uint8Array>('blocks').set('from-a', new Uint8Array([1]))
    c.getMap<Uint8Array>('blocks').set('from-c', new Uint8Array([2]))
    expect(c.getMap('blocks').has('from-a')).toBe(false)
    await sleep(80)
    for (const d of [a, b, c]) expect([...d.getMap('blocks').keys()].sort()).toEqual(['from-a', 'from-c'])
    bToA.stop()
    bToC.stop()
  })

  it('never sends back what the transport itself applied', async () => {
    const me = new Y.Doc()
    const relay = { provider: 1 }
    const sent: unknown[] = []
    const limited = limitUpdateForwarding({
      send: (_u, o) => sent.push(o),
      ownOrigin: relay,
      fromPeer: (o) => o === PEER,
      everyMs: 20,
    })
    me.on('update', limited.handler)
    Y.applyUpdate(me, block('x', [1]), relay)
    await sleep(50)
    expect(sent).toEqual([])
    Y.applyUpdate(me, block('y', [1]), PEER)
    await sleep(50)
    expect(sent).toEqual([FORWARDED])
    limited.stop()
  })

  it('holds our own updates for the next forward while deferOwn says so, and sends them at once again after', async () => {
    const me = new Y.Doc()
    const sent: { update: Uint8Array; origin: unknown }[] = []
    let defer = true
    const limited = limitUpdateForwarding({
      send: (update, origin) => sent.push({ update, origin }),
      fromPeer: (o) => o === PEER,
      everyMs: 40,
      deferOwn: () => defer,
    })
    me.on('update', limited.handler)
    me.getMap<Uint8Array>('blocks').set('own1', new Uint8Array([1]))
    Y.applyUpdate(me, block('a', [2]), PEER)
    me.getMap<Uint8Array>('blocks').set('own2', new Uint8Array([3]))
    expect(sent).toHaveLength(0)
    await sleep(80)
    // one message: both own entries and the peer's, merged
    expect(sent).toHaveLength(1)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, sent[0]!.update)
    expect([...copy.getMap('blocks').keys()].sort()).toEqual(['a', 'own1', 'own2'])
    defer = false
    me.getMap<Uint8Array>('blocks').set('own3', new Uint8Array([4]))
    expect(sent).toHaveLength(2)
    expect(sent[1]!.origin).toBe(null)
    limited.stop()
  })
})
