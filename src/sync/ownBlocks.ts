import { decodeBlock } from '../core/block.ts'

export type OwnBlockStoreHandle = {
  /** every own block stored, in seq order */
  load(): Promise<Uint8Array[]>
  /** resolves once the block is committed to IndexedDB (durable before it may be broadcast) */
  append(bytes: Uint8Array): Promise<void>
  /** one past the highest stored seq (1 when empty): where the replica's next own block must be */
  nextSeq(): Promise<bigint>
  /**
   * Stores an own block learned from the room (this browser's storage was wiped, the block came back from peers),
   * so the store again knows every seq used. False when a different block already holds that seq.
   */
  adopt(bytes: Uint8Array): Promise<boolean>
  close(): void
}

/** The pruned base (Replica.base, encodeBase) kept beside the own blocks, in the same database. */
export type PrunedBaseStoreHandle = {
  /** the newest stored base, if this participant ever pruned */
  loadBase(): Promise<Uint8Array | undefined>
  /**
   * Stores `base` and deletes every own block with seq ≤ `dropThroughSeq`, in one durable transaction: after a crash
   * either the old base with every own block or the new base without the pruned ones is on disk.
   */
  storeBase(base: Uint8Array, dropThroughSeq: number): Promise<void>
}

/** The database name of a participant's own-block store in a channel. */
export function ownBlockStoreName(channelId: string, participant: string): string {
  return `chx-own-${channelId.toLowerCase()}-${participant.toLowerCase()}`
}

const STORE = 'blocks'
/** one entry, key BASE_KEY: the newest pruned base */
const BASE_STORE = 'base'
const BASE_KEY = 'base'
const VERSION = 2

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * Writes `bytes` at `seq` unless a block is stored there: one `add` in one strict transaction (a single round trip
 * to the storage backend on the hot path — no read first); when the key exists the add fails with ConstraintError,
 * nothing is written, and the stored block is returned for the caller to compare.
 */
async function addOnce(db: IDBDatabase, seq: number, bytes: Uint8Array): Promise<'added' | Uint8Array> {
  const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' })
  const add = tx.objectStore(STORE).add(bytes, seq)
  // no further request follows: commit now instead of when the event loop next finds the transaction idle
  tx.commit()
  try {
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onabort = () => reject(tx.error ?? new Error('own-block store transaction aborted'))
    })
    return 'added'
  } catch (e) {
    if (add.error?.name !== 'ConstraintError') throw e
    const read = db.transaction(STORE, 'readonly')
    return new Uint8Array((await request(read.objectStore(STORE).get(seq))) as Uint8Array)
  }
}

/**
 * The participant's own signed blocks in their own IndexedDB database (apart from the Y.Doc's), keyed by seq.
 * A seq is written once: appending a different block at a stored seq throws instead of overwriting, because two
 * blocks at one seq are equivocation. The transaction uses durability 'strict' so `append` resolves only after
 * the write reached disk.
 */
export async function openOwnBlockStore(name: string): Promise<OwnBlockStoreHandle & PrunedBaseStoreHandle>
/** The store of `participant` (address) in channel `channelId` (hex), named by ownBlockStoreName. */
export async function openOwnBlockStore(
  channelId: string,
  participant: string,
): Promise<OwnBlockStoreHandle & PrunedBaseStoreHandle>
export async function openOwnBlockStore(
  nameOrChannel: string,
  participant?: string,
): Promise<OwnBlockStoreHandle & PrunedBaseStoreHandle> {
  const name = participant === undefined ? nameOrChannel : ownBlockStoreName(nameOrChannel, participant)
  const open = indexedDB.open(name, VERSION)
  open.onupgradeneeded = () => {
    // version 1 had the blocks only; a read-only tab may have created the database empty (readPrunedBase)
    const db = open.result
    if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE)
    if (!db.objectStoreNames.contains(BASE_STORE)) db.createObjectStore(BASE_STORE)
  }
  const db = await request(open)
  return {
    async loadBase() {
      const tx = db.transaction(BASE_STORE, 'readonly')
      const v = (await request(tx.objectStore(BASE_STORE).get(BASE_KEY))) as Uint8Array | undefined
      return v === undefined ? undefined : new Uint8Array(v)
    },
    async storeBase(base: Uint8Array, dropThroughSeq: number) {
      const tx = db.transaction([STORE, BASE_STORE], 'readwrite', { durability: 'strict' })
      tx.objectStore(BASE_STORE).put(base, BASE_KEY)
      if (dropThroughSeq >= 1) tx.objectStore(STORE).delete(IDBKeyRange.bound(0, dropThroughSeq))
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
        tx.onabort = () => reject(tx.error ?? new Error('pruned base transaction aborted'))
      })
    },
    async load() {
      const tx = db.transaction(STORE, 'readonly')
      const all = (await request(tx.objectStore(STORE).getAll())) as Uint8Array[]
      return all.map((b) => new Uint8Array(b))
    },
    async nextSeq() {
      const tx = db.transaction(STORE, 'readonly')
      const cursor = await request(tx.objectStore(STORE).openKeyCursor(null, 'prev'))
      return BigInt(cursor ? (cursor.key as number) : 0) + 1n
    },
    async adopt(bytes: Uint8Array) {
      const seq = Number(decodeBlock(bytes).seq)
      const stored = await addOnce(db, seq, bytes)
      return stored === 'added' || sameBytes(stored, bytes)
    },
    async append(bytes: Uint8Array) {
      const seq = Number(decodeBlock(bytes).seq)
      const stored = await addOnce(db, seq, bytes)
      if (stored === 'added' || sameBytes(stored, bytes)) return
      throw new Error(`refusing to store a second block at seq ${seq}: that would be equivocation`)
    },
    close: () => db.close(),
  }
}

/**
 * The pruned base of the store `name` without opening it for writing (a read-only tab: the writer tab prunes and
 * stores it). Opens whatever version exists and closes at once, so it never blocks the writer's upgrade.
 */
export async function readPrunedBase(name: string): Promise<Uint8Array | undefined> {
  const db = await request(indexedDB.open(name))
  try {
    if (!db.objectStoreNames.contains(BASE_STORE)) return undefined
    const tx = db.transaction(BASE_STORE, 'readonly')
    const v = (await request(tx.objectStore(BASE_STORE).get(BASE_KEY))) as Uint8Array | undefined
    return v === undefined ? undefined : new Uint8Array(v)
  } finally {
    db.close()
  }
}

export type WriterLock = {
  release(): void
  /** resolves when the lock is gone: released, or stolen by another tab (then stop sealing at once) */
  lost: Promise<void>
}

export type AcquireWriterLockParameters = {
  /**
   * 'ifAvailable' (default): null at once if another tab writes; the UI can offer read-only or a take-over.
   * 'wait': resolves when the other tab releases or closes (abort with `signal`).
   * 'steal': takes the lock from the other tab, whose `lost` resolves. Safe for equivocation: the store refuses a
   * second block at any seq across tabs, so a block the old tab was still appending either lands first (and
   * this tab's seal at that seq then fails to persist, is never broadcast, and the replica must be reloaded from
   * the store) or never lands. Load the store only after acquiring.
   */
  mode?: 'ifAvailable' | 'wait' | 'steal'
  signal?: AbortSignal
}

/**
 * The Web Lock that makes one tab the writer for (channel, participant) in this browser profile, the same lock
 * Returns null when mode is 'ifAvailable' and another tab holds it.
 */
export function acquireWriterLock(
  name: string,
  p: AcquireWriterLockParameters = {},
): Promise<WriterLock | null> {
  const mode = p.mode ?? 'ifAvailable'
  const options: LockOptions =
    mode === 'ifAvailable'
      ? { ifAvailable: true }
      : mode === 'steal'
        ? { steal: true }
        : p.signal
          ? { signal: p.signal }
          : {}
  return new Promise((resolve, reject) => {
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    let markLost!: () => void
    const lost = new Promise<void>((r) => {
      markLost = r
    })
    let granted = false
    navigator.locks
      .request(`chx-writer:${name}`, options, (lock) => {
        if (!lock) {
          resolve(null)
          return undefined
        }
        granted = true
        resolve({ release, lost })
        return held
      })
      .then(markLost, (e) => (granted ? markLost() : reject(e)))
  })
}
