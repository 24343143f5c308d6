import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { toHex } from '../core/bytes.ts'
import { Rng } from '../core/sim/rng.ts'
import { BLOCKS_MAP } from './channelDoc.ts'
import { coveredBy, noteClocks, updateHeld } from './heldUpdate.ts'
import { seededDoc } from './testing.ts'

const rng = new Rng(5)
const key = () => toHex(rng.bytes(32))

/** The update one `set` of a block entry makes in `doc`. */
function publish(doc: Y.Doc, k = key(), bytes = rng.bytes(rng.int(100, 700))): Uint8Array {
  let out: Uint8Array | undefined
  const f = (u: Uint8Array) => {
    out = u
  }
  doc.on('update', f)
  doc.getMap(BLOCKS_MAP).set(k, bytes)
  doc.off('update', f)
  return out!
}

/** Whether applying `u` to `doc` changes anything (Yjs emits 'update' only then). */
function changes(doc: Y.Doc, u: Uint8Array): boolean {
  let changed = false
  const f = () => {
    changed = true
  }
  doc.on('update', f)
  Y.applyUpdate(doc, u)
  doc.off('update', f)
  return changed
}

describe('updateHeld: a copy of what the doc holds, told from the struct headers', () => {
  it('an update is held once applied, and not before; a merge is held only if every part is', () => {
    const a = seededDoc(rng)
    const b = seededDoc(rng)
    const first = publish(a)
    const second = publish(a)
    expect(updateHeld(b, first)).toBe(false)
    Y.applyUpdate(b, first)
    expect(updateHeld(b, first)).toBe(true)
    expect(updateHeld(b, second)).toBe(false)
    const both = Y.mergeUpdates([first, second])
    expect(updateHeld(b, both)).toBe(false)
    Y.applyUpdate(b, second)
    expect(updateHeld(b, both)).toBe(true)
    // the author's own update, as the relay sends it back
    expect(updateHeld(a, first)).toBe(true)
    // a merge with a gap (a Skip struct) of the same client: held once both parts are
    const third = publish(a)
    const gap = Y.mergeUpdates([first, third])
    expect(updateHeld(b, gap)).toBe(false)
    Y.applyUpdate(b, third)
    expect(updateHeld(b, gap)).toBe(true)
  })

  it('never claims what it does not read: deletions, JSON values, truncated or trailing bytes, garbage', () => {
    const a = seededDoc(rng)
    const b = seededDoc(rng)
    const k = key()
    const put = publish(a, k)
    const overwrite = publish(a, k)
    Y.applyUpdate(b, put)
    Y.applyUpdate(b, overwrite)
    // the overwrite deletes the first value: a delete set, not compared with the doc's
    expect(changes(b, overwrite)).toBe(false)
    expect(updateHeld(b, overwrite)).toBe(false)
    const lobby = (() => {
      const d = seededDoc(rng)
      d.getMap('lobby').set(`0x${'ab'.repeat(20)}`, { sessionKey: '0x01', signature: '0x02' })
      return Y.encodeStateAsUpdate(d)
    })()
    Y.applyUpdate(b, lobby)
    expect(updateHeld(b, lobby)).toBe(false)
    expect(updateHeld(b, put.subarray(0, put.length - 1))).toBe(false)
    expect(updateHeld(b, new Uint8Array([...put, 0]))).toBe(false)
    expect(updateHeld(b, new Uint8Array())).toBe(false)
    expect(updateHeld(b, new Uint8Array(12).fill(0xff))).toBe(false)
    for (let i = 0; i < 500; i++) {
      const bytes = rng.bytes(rng.int(1, 64))
      // whatever it answers for garbage, `true` must mean applying it changes nothing
      if (updateHeld(b, bytes)) expect(() => changes(b, bytes)).not.toThrow()
    }
  })

  it('notes the clocks a far end showed it holds, and tells what they cover', () => {
    const a = seededDoc(rng)
    const b = seededDoc(rng)
    const [x, y, z] = [publish(a), publish(a), publish(b)]
    const seen = new Map<number, number>()
    noteClocks(y, seen)
    expect(seen).toEqual(new Map([[a.clientID, 2]]))
    const far = (c: number) => seen.get(c) ?? 0
    // the far end holds x too (below y), not z
    expect(coveredBy(x, far)).toBe(true)
    expect(coveredBy(Y.mergeUpdates([x, y]), far)).toBe(true)
    expect(coveredBy(Y.mergeUpdates([x, z]), far)).toBe(false)
    noteClocks(z, seen)
    noteClocks(x, seen)
    expect(seen).toEqual(
      new Map([
        [a.clientID, 2],
        [b.clientID, 1],
      ]),
    )
    // what the skim cannot read notes nothing
    noteClocks(new Uint8Array([1, 1, 0xff]), seen)
    expect(seen.size).toBe(2)
  })

  it('agrees with Yjs on random block traffic: held exactly when every part is integrated, and then a no-op', () => {
    for (let seed = 0; seed < 40; seed++) {
      const r = new Rng(1000 + seed)
      const authors = [seededDoc(r), seededDoc(r), seededDoc(r)]
      const made: { author: number; nth: number; update: Uint8Array }[] = []
      const count = [0, 0, 0]
      for (let i = 0; i < 30; i++) {
        const author = r.int(0, authors.length)
        made.push({
          author,
          nth: count[author]!++,
          update: publish(authors[author]!, toHex(r.bytes(32)), r.bytes(r.int(1, 300))),
        })
      }
      // the reader holds a prefix of each author's updates (a later one without an earlier would stay pending)
      const prefix = count.map((n) => r.int(0, n + 1))
      const reader = seededDoc(r)
      for (const m of made) if (m.nth < prefix[m.author]!) Y.applyUpdate(reader, m.update)
      for (let t = 0; t < 60; t++) {
        const parts = made.filter(() => r.int(0, 4) === 0)
        if (parts.length === 0) continue
        const u = parts.length === 1 ? parts[0]!.update : Y.mergeUpdates(parts.map((m) => m.update))
        const held = updateHeld(reader, u)
        expect(held).toBe(parts.every((m) => m.nth < prefix[m.author]!))
        if (held) expect(changes(reader, u)).toBe(false)
      }
    }
  })
})
