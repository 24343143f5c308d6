import { expect, test } from '@playwright/test'
import { comparable, expectSameState, prunedChannel } from './support/pruning.ts'
import { converged, prunedAt } from './support/trader.ts'

test('issue 8: traders trade past a pruning, one reloads from its pruned base, equals the others and trades on', async ({
  browser,
}) => {
  // before the first pruning: a trade and a checkpoint every participant signs (prunedChannel)
  const { traders, settlers } = await prunedChannel(browser)
  const [a, b, c] = traders
  const sb = settlers[1]

  // past the pruning point: trades, a resting order on each side, another checkpoint and pruning
  await c.place('Buy', '2000', '0.3')
  await a.place('Sell', '2050', '0.5')
  await c.place('Buy', '1990', '0.2')
  await converged(traders, (v) => v.trades >= 2 && v.book[0]!.length >= 3)
  const v2 = await sb.requestCheckpoint(3)
  await prunedAt(traders, v2)
  await b.place('Buy', '2000', '0.1')
  const live = await converged(traders, (v) => v.trades >= 3)
  for (const v of live) {
    // the doc lost the pruned blocks' entries: fewer entries than blocks ever final
    expect(v.docEntries).toBeLessThan(v.final)
    expect(v.prunings.length).toBeGreaterThanOrEqual(1)
  }

  // B reloads: state from its stored base (checked against the checkpoint's roots and signatures) + the tail
  await b.page.reload()
  await b.waitLive()
  const reloaded = await b.view()
  expect(Number(reloaded.restoredFrom)).toBeGreaterThanOrEqual(v2)
  const after = await converged(traders)
  expect(comparable(after[1]!)).toEqual(comparable(after[0]!))
  // balances, open orders and trades as before the reload (the root may have moved on: checkpoints go on)
  expect({ ...comparable(after[1]!), stateRoot: '' }).toEqual({ ...comparable(live[1]!), stateRoot: '' })
  expect(after[1]!.book[0]).toEqual(
    expect.arrayContaining([expect.stringMatching(/^1:2050/), expect.stringMatching(/^0:1990/)]),
  )

  // and the channel goes on after the reload: B trades, everyone agrees
  await b.place('Sell', '1990', '0.2')
  const views = await converged(traders, (v) => v.trades >= 4)
  expectSameState(views)

  for (const t of traders) await t.close()
})
