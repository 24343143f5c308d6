import { useMemo } from 'react'
import { useStore } from 'zustand'
import { type LendingSnapshot, takeLendingSnapshot } from '../../store/lendingSnapshot.ts'
import { useTrading } from '../trading/context.ts'

/** The lending view of the channel, refreshed with the store's snapshots; undefined without a lending pool. */
export function useLending(): LendingSnapshot | undefined {
  const { store, session } = useTrading()
  const version = useStore(store, (s) => s.version)
  const me = useStore(store, (s) => s.snapshot.me)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the replica changes in place; the store's version says when
  return useMemo(() => takeLendingSnapshot(session.replica, me), [session, me, version])
}
