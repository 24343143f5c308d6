/**
 * The browser side of `npm run bench:reload:browser` (scripts/benchReloadBrowser.ts loads it from the vite dev
 * server into a page): `store` writes a channel's blocks the way the app keeps them — a y-indexeddb doc with one
 * entry per block, and for the pruned variant the base in the own-block database (sync/ownBlocks.ts) — and, after
 * a page reload, `load` does what the runtime's start does: read the base, load the doc from IndexedDB, restore the
 * replica (store/restoreReplica.ts) and let ChannelDoc validate and fold every remaining entry.
 */
import '../src/core/wasmCrypto.ts'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { blockId, decodeBlock } from '../src/core/block.ts'
import { toHex } from '../src/core/bytes.ts'
import { Replica } from '../src/core/replica.ts'
import type { DepositRecord } from '../src/core/state.ts'
import { restoreReplica } from '../src/store/restoreReplica.ts'
import { BLOCKS_MAP, ChannelDoc } from '../src/sync/channelDoc.ts'
import { openOwnBlockStore, readPrunedBase } from '../src/sync/ownBlocks.ts'
import { type BenchMix, benchChannel } from './benchStream.ts'
import { fromWire } from './reloadWire.ts'

type Setup = { participants: number; mix: BenchMix; name: string }

async function store(p: Setup & { blocks: number[][]; base?: number[] }): Promise<number> {
  const { channel } = benchChannel(p.participants, p.mix)
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(`doc-${p.name}`, doc)
  await persistence.whenSynced
  const map = doc.getMap(BLOCKS_MAP)
  for (let i = 0; i < p.blocks.length; i += 2000)
    doc.transact(() => {
      for (const list of p.blocks.slice(i, i + 2000)) {
        const bytes = Uint8Array.from(list)
        map.set(toHex(blockId(decodeBlock(bytes), channel.domainSeparator)), bytes)
      }
    })
  if (p.base) {
    const own = await openOwnBlockStore(`own-${p.name}`)
    await own.storeBase(Uint8Array.from(p.base), 0)
    own.close()
  }
  // y-indexeddb writes each update in its own transaction: wait until they are all stored
  await new Promise((r) => setTimeout(r, 500))
  await persistence.destroy()
  return map.size
}

async function load(p: Setup & { deposits: string }) {
  const t0 = performance.now()
  const { channel } = benchChannel(p.participants, p.mix)
  const deposits = fromWire(p.deposits) as DepositRecord[]
  const base = await readPrunedBase(`own-${p.name}`)
  const t1 = performance.now()
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(`doc-${p.name}`, doc)
  await persistence.whenSynced
  const t2 = performance.now()
  const { replica, restoredFrom } = restoreReplica(
    () => new Replica(channel, { ignoreForcedQueue: true, deposits }),
    base,
  )
  const t3 = performance.now()
  const cd = new ChannelDoc({ doc, replica })
  cd.flush()
  const t4 = performance.now()
  Object.assign(window, { __kept: { doc, persistence, replica, cd } })
  return {
    ms: t4 - t0,
    baseReadMs: t1 - t0,
    docLoadMs: t2 - t1,
    restoreMs: t3 - t2,
    tailMs: t4 - t3,
    restoredFrom: restoredFrom?.toString() ?? null,
    entries: doc.getMap(BLOCKS_MAP).size,
    final: replica.prunedCount + replica.finalCount,
    buffered: replica.bufferedCount,
    root: toHex(replica.stateRoot()),
  }
}

Object.assign(window, { __reloadBench: { store, load } })
