import { useMemo } from 'react'
import { useStore } from 'zustand'
import type { Market } from '../../core/channel.ts'
import { type PerpsSnapshot, takePerpsSnapshot } from '../../store/perpsSnapshot.ts'
import type { TokenInfo } from '../format.ts'
import { useTrading } from '../trading/context.ts'

/** The perps view of the channel, refreshed with the store's snapshots; undefined without perp markets. */
export function usePerps(): PerpsSnapshot | undefined {
  const { store, session } = useTrading()
  const version = useStore(store, (s) => s.version)
  const me = useStore(store, (s) => s.snapshot.me)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the replica changes in place; the store's version says when
  return useMemo(() => takePerpsSnapshot(session.replica, me), [session, me, version])
}

/** A perp market with the tokens its numbers are formatted in (underlying, collateral) and its name. */
export type PerpMarketInfo = {
  index: number
  market: Market
  base: TokenInfo
  quote: TokenInfo
  name: string
}

export function usePerpMarkets(): PerpMarketInfo[] {
  const { channel, tokens } = useTrading()
  return useMemo(
    () =>
      channel.config.markets.flatMap((market, index) => {
        if (market.kind !== 'perp') return []
        const base = tokens[market.base]!
        const quote = tokens[market.quote]!
        return [{ index, market, base, quote, name: `${base.symbol}-PERP` }]
      }),
    [channel, tokens],
  )
}
