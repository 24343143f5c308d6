import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { batchedStore } from './batchedStore.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('batchedStore: the doc copy written once per window, merged', () => {
  it('writes every update of a window in one merged write that restores the whole doc', async () => {
    const doc = new Y.Doc()
    const writes: Uint8Array[] = []
    const loader = { storage: 1 }
    const b = batchedStore({ store: (u) => writes.push(u), ownOrigin: loader, everyMs: 30 })
    doc.on('update', b.handler)
    const blocks = doc.getMap<Uint8Array>('blocks')
    for (let i = 0; i < 20; i++) blocks.set(`b${i}`, new Uint8Array([i]))
    expect(writes).toHaveLength(0)
    await sleep(60)
    expect(writes).toHaveLength(1)
    // what a reload reads back: every entry
    const reloaded = new Y.Doc()
    Y.applyUpdate(reloaded, writes[0]!)
    expect(reloaded.getMap('blocks').size).toBe(20)
    // what the storage itself loaded is not written back
    const other = new Y.Doc()
    other.getMap<Uint8Array>('blocks').set('x', new Uint8Array([1]))
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), loader)
    await sleep(60)
    expect(writes).toHaveLength(1)
    // stop writes what still waits, then nothing more
    blocks.set('last', new Uint8Array([9]))
    b.stop()
    expect(writes).toHaveLength(2)
    blocks.set('after', new Uint8Array([9]))
    await sleep(60)
    expect(writes).toHaveLength(2)
    Y.applyUpdate(reloaded, writes[1]!)
    expect(reloaded.getMap('blocks').has('last')).toBe(true)
  })
})
