import { fromHex, type Hex, toHex } from '../core/bytes.ts'
import { OpTag, type RotateKeyOp } from '../core/ops.ts'

/**
 * One session-key rotation of the local participant (issue #12): the new private key, the wallet-signed op that
 * every block from `op.fromSeq` on carries, and how far it got on chain.
 */
export type StoredRotation = {
  /** position in the participant's sequence of rotations (0 = the first) */
  index: number
  key: Uint8Array
  op: RotateKeyOp
  /** the rotateSessionKey transaction sent for it, if any (on reload: wait for it before sending again) */
  tx?: Hex
  /** true once the contract holds it (sent by us or by anyone else) */
  onChain: boolean
}

export type RotationStoreHandle = {
  /** every rotation stored, in order */
  load(): Promise<StoredRotation[]>
  /** writes (adds or updates) one rotation; resolves once it reached disk */
  put(r: StoredRotation): Promise<void>
  /** removes a rotation that never took effect (the replica refused it) */
  remove(index: number): Promise<void>
  close(): void
}

/** The database name of a participant's rotated session keys in a channel (next to its own-block store). */
export function rotationStoreName(channelId: string, participant: string): string {
  return `chx-keys-${channelId.toLowerCase()}-${participant.toLowerCase()}`
}

const STORE = 'rotations'

type Row = {
  key: Hex
  newKey: Hex
  fromSeq: string
  fromVersion: string
  signature: Hex
  tx?: Hex
  onChain: boolean
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new Error('rotation store transaction aborted'))
  })
}

/**
 * The participant's rotated session keys in their own IndexedDB database, keyed by rotation index. A rotation is
 * written (durability 'strict') before the replica starts signing with its key, so a reload at any point finds
 * every key its blocks and checkpoint signatures were made with, and every rotation still owed to the chain.
 */
export async function openRotationStore(name: string): Promise<RotationStoreHandle> {
  const open = indexedDB.open(name, 1)
  open.onupgradeneeded = () => open.result.createObjectStore(STORE)
  const db = await request(open)
  return {
    async load() {
      const tx = db.transaction(STORE, 'readonly')
      const store = tx.objectStore(STORE)
      const [keys, rows] = await Promise.all([request(store.getAllKeys()), request(store.getAll())])
      return (rows as Row[]).map((row, i) => ({
        index: keys[i] as number,
        key: fromHex(row.key, 32),
        op: {
          tag: OpTag.RotateKey,
          newKey: fromHex(row.newKey, 20),
          fromSeq: BigInt(row.fromSeq),
          fromVersion: BigInt(row.fromVersion),
          signature: fromHex(row.signature, 65),
        },
        ...(row.tx ? { tx: row.tx } : {}),
        onChain: row.onChain,
      }))
    },
    async put(r) {
      const row: Row = {
        key: toHex(r.key),
        newKey: toHex(r.op.newKey),
        fromSeq: r.op.fromSeq.toString(),
        fromVersion: r.op.fromVersion.toString(),
        signature: toHex(r.op.signature),
        ...(r.tx ? { tx: r.tx } : {}),
        onChain: r.onChain,
      }
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' })
      tx.objectStore(STORE).put(row, r.index)
      await done(tx)
    },
    async remove(index) {
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' })
      tx.objectStore(STORE).delete(index)
      await done(tx)
    },
    close: () => db.close(),
  }
}
