import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { decodeBlock } from '../core/block.ts'
import { bytesEqual } from '../core/bytes.ts'
import type { OwnBlockStoreHandle, PrunedBaseStoreHandle } from '../sync/ownBlocks.ts'

const name = (seq: bigint) => `${seq.toString().padStart(12, '0')}.blk`
/** the pruned base: u64 big-endian dropThroughSeq ‖ encodeBase bytes, replaced by one rename */
const BASE_FILE = 'base.bin'

/**
 * The headless participant's own signed blocks in a directory, one file per seq — the same contract as the
 * browser's IndexedDB store (src/sync/ownBlocks.ts): `append` resolves only once the block is on disk (written to a
 * temporary file, fsynced, renamed into place, the directory fsynced), and a seq is written once: a different
 * block at a stored seq throws, because two blocks at one seq are equivocation. One process per directory: the
 * caller holds the directory's lock (see lockDir in participant.ts).
 *
 * The pruned base (PrunedBaseStoreHandle) is one file holding the seq it prunes through and the base, replaced by
 * write-then-rename: the rename is the commit point. The own blocks at or below that seq are deleted after it, and
 * again on every open, so a crash in between ends, at the next start, exactly as if the deletion had been part of
 * the rename: the new base without the pruned blocks. Seqs at or below it stay used (never written again).
 */
export function openFileBlockStore(dir: string): OwnBlockStoreHandle & PrunedBaseStoreHandle {
  mkdirSync(dir, { recursive: true })
  const stored = new Map<bigint, Uint8Array>()
  let prunedThrough = 0n
  const baseFile = join(dir, BASE_FILE)
  try {
    const head = readFileSync(baseFile).subarray(0, 8)
    prunedThrough = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0)
  } catch {
    // no base yet
  }
  for (const f of readdirSync(dir)) {
    if (!/^\d{12}\.blk$/.test(f)) continue
    const seq = BigInt(f.slice(0, 12))
    // pruned by the base on disk: the deletion a crash interrupted
    if (seq <= prunedThrough) rmSync(join(dir, f), { force: true })
    else stored.set(seq, new Uint8Array(readFileSync(join(dir, f))))
  }
  const durably = (file: string, bytes: Uint8Array[]) => {
    const tmp = `${file}.tmp`
    const fd = openSync(tmp, 'w')
    try {
      for (const b of bytes) writeSync(fd, b)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
    syncDir(dir)
  }
  const write = (seq: bigint, bytes: Uint8Array) => {
    durably(join(dir, name(seq)), [bytes])
    stored.set(seq, bytes)
  }
  return {
    async load() {
      return [...stored.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, b]) => b)
    },
    async nextSeq() {
      let max = prunedThrough
      for (const s of stored.keys()) if (s > max) max = s
      return max + 1n
    },
    async append(bytes) {
      const seq = decodeBlock(bytes).seq
      if (seq <= prunedThrough)
        throw new Error(`refusing to store a block at seq ${seq}: that seq is pruned (used) already`)
      const existing = stored.get(seq)
      if (existing) {
        if (bytesEqual(existing, bytes)) return
        throw new Error(`refusing to store a second block at seq ${seq}: that would be equivocation`)
      }
      write(seq, bytes)
    },
    async adopt(bytes) {
      const seq = decodeBlock(bytes).seq
      // a pruned seq: final below the base's checkpoint, nothing to keep
      if (seq <= prunedThrough) return true
      const existing = stored.get(seq)
      if (existing) return bytesEqual(existing, bytes)
      write(seq, bytes)
      return true
    },
    async loadBase() {
      try {
        return new Uint8Array(readFileSync(baseFile).subarray(8))
      } catch {
        return undefined
      }
    },
    async storeBase(base, dropThroughSeq) {
      const through = BigInt(Math.max(Number(prunedThrough), dropThroughSeq))
      const head = new Uint8Array(8)
      new DataView(head.buffer).setBigUint64(0, through)
      durably(baseFile, [head, base])
      prunedThrough = through
      for (const seq of [...stored.keys()])
        if (seq <= through) {
          rmSync(join(dir, name(seq)), { force: true })
          stored.delete(seq)
        }
      syncDir(dir)
    },
    close() {},
  }
}

function syncDir(dir: string): void {
  const d = openSync(dir, 'r')
  try {
    fsyncSync(d)
  } finally {
    closeSync(d)
  }
}
