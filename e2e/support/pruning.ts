import { type Browser, expect } from '@playwright/test'
import { Settler } from './settlement.ts'
import { converged, liveChannel, PRUNE_EVERY_CHECKPOINT, prunedAt, type Trader, type View } from './trader.ts'

/** What must be equal across participants whatever each one pruned: state, balances, open orders, trades. */
export const comparable = (v: View) => ({
  stateRoot: v.stateRoot,
  holdings: v.holdings,
  book: v.book,
  trades: v.trades,
})

/** Asserts that every view holds the same state as the first (see comparable), naming the one that differs. */
export function expectSameState(views: readonly View[]): void {
  for (const [i, v] of views.entries())
    expect(comparable(v), `participant ${i} against participant 0`).toEqual(comparable(views[0]!))
}

/**
 * Three live traders whose app prunes at every certified checkpoint, each with its Settler, past a first pruning:
 * A's ask of 1 at 2000 partly filled by B (0.4), then checkpoint `v1`, signed by all three, which every one pruned at.
 */
export async function prunedChannel(browser: Browser) {
  const { traders, link } = await liveChannel(browser, [1, 2, 3], undefined, 600, undefined, {
    storage: PRUNE_EVERY_CHECKPOINT,
  })
  const [a, b] = traders as [Trader, Trader, Trader]
  const settlers = traders.map((t) => new Settler(t)) as [Settler, Settler, Settler]
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '0.4')
  await converged(traders, (v) => v.trades >= 1)
  const v1 = await settlers[0].requestCheckpoint(3)
  await prunedAt(traders, v1)
  return { traders: traders as [Trader, Trader, Trader], link, settlers, v1 }
}
