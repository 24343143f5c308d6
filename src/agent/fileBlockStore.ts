import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { decodeBlock } from '../core/block.ts'
import { bytesEqual } from '../core/bytes.ts'
import type { OwnBlockStoreHandle } from '../sync/ownBlocks.ts'

const name = (seq: bigint) => `${seq.toString().padStart(12, '0')}.blk`

/**
 * The headless participant's own signed blocks in a directory, one file per seq — the same contract as the
 * browser's IndexedDB store (src/sync/ownBlocks.ts): `append` resolves only once the block is on disk (written to a
 * temporary file, fsynced, renamed into place, the directory fsynced), and a seq is written once: a different
 * block at a stored seq throws, because two blocks at one seq are equivocation. One process per directory: the
 * caller holds the directory's lock (see lockDir in participant.ts).
 */
export function openFileBlockStore(dir: string): OwnBlockStoreHandle {
  mkdirSync(dir, { recursive: true })
  const stored = new Map<bigint, Uint8Array>()
  for (const f of readdirSync(dir))
    if (/^\d{12}\.blk$/.test(f))
      stored.set(BigInt(f.slice(0, 12)), new Uint8Array(readFileSync(join(dir, f))))
  const write = (seq: bigint, bytes: Uint8Array) => {
    const tmp = join(dir, `${name(seq)}.tmp`)
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, bytes)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, join(dir, name(seq)))
    const d = openSync(dir, 'r')
    try {
      fsyncSync(d)
    } finally {
      closeSync(d)
    }
    stored.set(seq, bytes)
  }
  return {
    async load() {
      return [...stored.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, b]) => b)
    },
    async nextSeq() {
      let max = 0n
      for (const s of stored.keys()) if (s > max) max = s
      return max + 1n
    },
    async append(bytes) {
      const seq = decodeBlock(bytes).seq
      const existing = stored.get(seq)
      if (existing) {
        if (bytesEqual(existing, bytes)) return
        throw new Error(`refusing to store a second block at seq ${seq}: that would be equivocation`)
      }
      write(seq, bytes)
    },
    async adopt(bytes) {
      const seq = decodeBlock(bytes).seq
      const existing = stored.get(seq)
      if (existing) return bytesEqual(existing, bytes)
      write(seq, bytes)
      return true
    },
    close() {},
  }
}
