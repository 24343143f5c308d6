import { decodeBlock } from '../core/block.ts'

export type OwnBlockStoreHandle = {
  /** every own block stored, in seq order */
  load(): Promise<Uint8Array[]>
  /** resolves once the block is committed to IndexedDB (durable before it may be broadcast) */
  append(bytes: Uint8Array): Promise<void>
  close(): void
}

const STORE = 'blocks'

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

/**
 * The participant's own signed blocks in their own IndexedDB database (apart from the Y.Doc's), keyed by seq.
 * A seq is written once: appending a different block at a stored seq throws instead of overwriting, because two
 * blocks at one seq are equivocation. The transaction uses durability 'strict' so `append` resolves only after
 * the write reached disk.
 */
export async function openOwnBlockStore(name: string): Promise<OwnBlockStoreHandle> {
  const open = indexedDB.open(name, 1)
  open.onupgradeneeded = () => open.result.createObjectStore(STORE)
  const db = await request(open)
  return {
    async load() {
      const tx = db.transaction(STORE, 'readonly')
      const all = (await request(tx.objectStore(STORE).getAll())) as Uint8Array[]
      return all.map((b) => new Uint8Array(b))
    },
    async append(bytes: Uint8Array) {
      const seq = Number(decodeBlock(bytes).seq)
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' })
      const store = tx.objectStore(STORE)
      const existing = (await request(store.get(seq))) as Uint8Array | undefined
      if (existing) {
        const same = existing.length === bytes.length && existing.every((x, i) => x === bytes[i])
        tx.abort()
        if (same) return
        throw new Error(`refusing to store a second block at seq ${seq}: that would be equivocation`)
      }
      store.put(bytes, seq)
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
        tx.onabort = () => reject(tx.error ?? new Error('own-block store transaction aborted'))
      })
    },
    close: () => db.close(),
  }
}

/**
 * Takes the Web Lock that makes this tab the only writer for (channel, participant) across tabs of this browser
 * profile, holding it until the tab closes. Resolves when acquired; a second tab waits here until the first one
 * is gone, so two tabs can never seal blocks at the same seq.
 */
export function holdWriterLock(name: string): Promise<void> {
  return new Promise((acquired, failed) => {
    navigator.locks
      .request(`chx-writer:${name}`, () => {
        acquired()
        return new Promise<void>(() => {})
      })
      .catch(failed)
  })
}
