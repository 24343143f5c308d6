import * as Y from 'yjs'
import { backgroundTimer } from './backgroundTimer.ts'

export type BatchedStoreParameters = {
  /** writes one (merged) update to storage: y-indexeddb's own handler of the doc's 'update' event */
  store: (update: Uint8Array, origin: unknown) => void
  /** updates the storage itself applied (loading), never written back */
  ownOrigin?: unknown
  /** most time an update waits before it is written (ms) */
  everyMs?: number
}

/**
 * y-indexeddb writes every doc update in an IndexedDB transaction of its own: in bench:sync (5 contexts) that was
 * one transaction per block per tab, ~25 a second, queued on the same IndexedDB backend as the own-block store's
 * strict commit that every own block waits for before it is published. The doc's stored copy only spares a
 * reload the network (our own blocks are durable in their own store before anyone sees them; peers' blocks come
 * back from peers), so updates are gathered and written at most once per `everyMs` (default 250 ms), merged into
 * one. `flush()` writes what waits (before the storage closes).
 */
export function batchedStore(p: BatchedStoreParameters): {
  handler: (update: Uint8Array, origin: unknown) => void
  flush(): void
  stop(): void
} {
  const everyMs = p.everyMs ?? 250
  let pending: Uint8Array[] = []
  let cancel: (() => void) | undefined
  let stopped = false
  const flush = () => {
    cancel?.()
    cancel = undefined
    if (stopped || pending.length === 0) return
    const batch = pending
    pending = []
    p.store(batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch), undefined)
  }
  return {
    handler(update, origin) {
      if (stopped || (p.ownOrigin !== undefined && origin === p.ownOrigin)) return
      pending.push(update)
      cancel ??= backgroundTimer(flush, everyMs)
    },
    flush,
    stop() {
      flush()
      stopped = true
    },
  }
}
