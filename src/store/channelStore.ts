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
  /**
   * the share of the page's thread snapshots and their React renders may take (default 0.05): after a snapshot that
   * took c ms the next one waits at least c / renderShare ms (never more than maxThrottleMs). On a loaded machine
   * (5 contexts on 2 cores in bench:sync, a render ~8 ms) the UI then refreshes a little less often instead of
   * queueing in front of arriving blocks and commits, which are finality's critical path.
   */
  renderShare?: number
  /** the longest wait between an invalidation and its snapshot (default 500 ms) */
  maxThrottleMs?: number
  /** a monotonic clock in ms (default performance.now) */
  now?: () => number
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
 * most one snapshot per `throttleMs` (longer when snapshots cost more than `renderShare` of the thread), always
 * taken after the last invalidation; a field whose data is unchanged
 * keeps its object from the snapshot before (sameData.ts), so its subscribers do not render again.
 */
export function createChannelStore({
  replica,
  me,
  throttleMs = 100,
  renderShare = 0.05,
  maxThrottleMs = 500,
  now = () => performance.now(),
}: CreateChannelStoreParameters): ChannelStore {
  const store = createStore<ChannelStoreState>(() => ({
    snapshot: takeSnapshot({ replica, me }),
    version: 0,
  }))
  // at background priority: a block arriving or an own block's commit completing goes first (backgroundTimer.ts)
  let cancel: (() => void) | undefined
  // the window before the next snapshot: throttleMs, or longer after a snapshot that cost more than its share
  let windowMs = throttleMs
  const flush = () => {
    cancel?.()
    cancel = undefined
    const t0 = now()
    // fields whose data did not change keep their objects: only the panels showing what changed render again
    // (subscribers render synchronously inside setState, so their cost is in the measured time)
    store.setState((s) => ({
      snapshot: reuseUnchanged(s.snapshot, takeSnapshot({ replica, me })),
      version: s.version + 1,
    }))
    windowMs = Math.min(maxThrottleMs, Math.max(throttleMs, (now() - t0) / renderShare))
  }
  const invalidate = () => {
    cancel ??= backgroundTimer(flush, windowMs)
  }
  return Object.assign(store, { invalidate, flush })
}
