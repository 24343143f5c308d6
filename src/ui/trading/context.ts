import { createContext, useContext } from 'react'
import { useStore } from 'zustand'
import type { Channel, Market } from '../../core/channel.ts'
import type { Op } from '../../core/ops.ts'
import type { SettlementPhase } from '../../core/phase.ts'
import type { ChannelStore, ChannelStoreState } from '../../store/channelStore.ts'
import type { Seen } from '../../store/liveness.ts'
import type { ChannelSession } from '../../store/session.ts'
import type { SubmitOutcome } from '../../store/submit.ts'
import type { TokenInfo } from '../format.ts'

/** What the trading screen needs: the channel, its store of snapshots, and the local session to submit ops. */
export type TradingContextValue = {
  channel: Channel
  store: ChannelStore
  session: ChannelSession
  /** submits an op the participant entered through the store's checks (phase, encodable); never throws */
  submit: (op: Op) => SubmitOutcome
  /** the channel's settlement phase on chain: what may still be submitted (core/phase.ts) */
  phase: SettlementPhase
  tokens: TokenInfo[]
  market: Market
  marketIndex: number
  /** display name per participant index */
  names: string[]
  /** another tab of this browser is the participant's writer: show state, submit nothing */
  readOnly: boolean
  /** read-only because the wallet's session key is in another browser (not another tab of this one) */
  otherDevice: boolean
  /** who is online now, from their presence announcements: shown, never trusted for state */
  presence: () => { participant: number | undefined; behind: number; headKnown: boolean }[]
  /** when each peer was last heard from (awareness heartbeats): who is online, within seconds */
  seen: () => Seen[]
}

export const TradingContext = createContext<TradingContextValue | undefined>(undefined)

export function useTrading(): TradingContextValue {
  const v = useContext(TradingContext)
  if (!v) throw new Error('useTrading outside <TradingContext>')
  return v
}

export function useSnapshot<T>(select: (s: ChannelStoreState['snapshot']) => T): T {
  const { store } = useTrading()
  return useStore(store, (s) => select(s.snapshot))
}
