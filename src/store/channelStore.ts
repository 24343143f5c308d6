import { createStore, type StoreApi } from 'zustand/vanilla'
import type { Replica } from '../core/replica.ts'
import { backgroundTimer } from '../sync/backgroundTimer.ts'
import { reuseUnchanged } from './sameData.ts'
import { type ChannelSnapshot, takeSnapshot } from './snapshot.ts'

export type ChannelStoreState = { snapshot: ChannelSnapshot; version: number }

export type CreateChannelStoreParameters = {
  replica: Replica
  me: number
  /**
   * coalesce bursts of updates into one snapshot per this many ms (default 100: every snapshot renders React
   * synchronously, and a busy channel invalidates continuously — at 50 ms that was ~75 ms/s of each renderer)
   */
  throttleMs?: number
}

export type ChannelStore = StoreApi<ChannelStoreState> & {
  /** mark the snapshot stale; a fresh one is taken at most once per throttle window */
  invalidate(): void
  /** take a fresh snapshot now (e.g. before asserting in a test) */
  flush(): void
}

/**
 * A zustand vanilla store of immutable channel snapshots. The replica calls `invalidate` on every change
 * (its onUpdate hook); React components subscribe through `useSnapshot` (ui/trading/context.ts). Bursts coalesce: at
 * most one snapshot per `throttleMs`, always taken after the last invalidation; a field whose data is unchanged
 * keeps its object from the snapshot before (sameData.ts), so its subscribers do not render again.
 */
export function createChannelStore({
  replica,
  me,
  throttleMs = 100,
}: CreateChannelStoreParameters): ChannelStore {
  const store = createStore<ChannelStoreState>(() => ({
    snapshot: takeSnapshot({ replica, me }),
    version: 0,
  }))
  // at background priority: a block arriving or an own block's commit completing goes first (backgroundTimer.ts)
  let cancel: (() => void) | undefined
  const flush = () => {
    cancel?.()
    cancel = undefined
    // fields whose data did not change keep their objects: only the panels showing what changed render again
    store.setState((s) => ({
      snapshot: reuseUnchanged(s.snapshot, takeSnapshot({ replica, me })),
      version: s.version + 1,
    }))
  }
  const invalidate = () => {
    cancel ??= backgroundTimer(flush, throttleMs)
  }
  return Object.assign(store, { invalidate, flush })
}
