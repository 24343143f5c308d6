import { useMemo } from 'react'
import { useStore } from 'zustand'
import { type AmmSnapshot, takeAmmSnapshot } from '../../store/ammSnapshot.ts'
import { useTrading } from '../trading/context.ts'

/** The AMM view of the channel, refreshed with the store's snapshots; undefined without `params.amm`. */
export function useAmm(): AmmSnapshot | undefined {
  const { store, session } = useTrading()
  const version = useStore(store, (s) => s.version)
  const me = useStore(store, (s) => s.snapshot.me)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the replica changes in place; the store's version says when
  return useMemo(() => takeAmmSnapshot(session.replica, me), [session, me, version])
}
