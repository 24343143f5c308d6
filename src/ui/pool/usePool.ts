import { useMemo } from 'react'
import { useStore } from 'zustand'
import { REJECT_NAMES } from '../../core/reasons.ts'
import { type AmmSnapshot, takeAmmSnapshot } from '../../store/ammSnapshot.ts'
import type { SubmitOutcome } from '../../store/submit.ts'
import { useTrading } from '../trading/context.ts'

/** The AMM view of the channel, refreshed with the store's snapshots; undefined without `params.amm`. */
export function useAmm(): AmmSnapshot | undefined {
  const { store, session } = useTrading()
  const version = useStore(store, (s) => s.version)
  const me = useStore(store, (s) => s.snapshot.me)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the replica changes in place; the store's version says when
  return useMemo(() => takeAmmSnapshot(session.replica, me), [session, me, version])
}

/** What a submit came to, in words: refused before sending, rejected by the fold (with its reason), or pending. */
export function outcomeText(r: SubmitOutcome, done: string): { ok: boolean; text: string } {
  if (!r.ok) return { ok: false, text: `Refused: ${r.reason}` }
  if (r.result !== 0) return { ok: false, text: `Rejected: ${REJECT_NAMES[r.result] ?? `code ${r.result}`}` }
  return { ok: true, text: `${done} (pending)` }
}
