import { expect, test } from '@playwright/test'
import { comparable, expectSameState, prunedChannel } from './support/pruning.ts'
import { converged, PRUNE_EVERY_CHECKPOINT, prunedAt, Trader } from './support/trader.ts'

const storage = PRUNE_EVERY_CHECKPOINT

test('issue 8: a new device joins a channel everyone pruned: it catches up from a peer’s certified base and trades', async ({
  browser,
}) => {
  // history, then two prunings everyone makes: the blocks from the channel's start are gone from every peer
  const { traders, link, settlers } = await prunedChannel(browser)
  const [a, b, c] = traders
  const sb = settlers[1]
  await c.place('Buy', '2000', '0.3')
  await a.place('Sell', '2050', '0.5')
  await converged(traders, (v) => v.trades >= 2)
  const v2 = await sb.requestCheckpoint(3)
  await prunedAt(traders, v2)
  // a tail past the pruning point
  await b.place('Buy', '1990', '0.2')
  const before = await converged(traders, (v) => v.book[0]!.length >= 2)

  // C moves to a new device: a fresh browser profile (no IndexedDB, no doc) with the same wallet and its channel
  // session key (carried over: the lobby holds that key's authorisation; a new key would need a rotation)
  const carried = await c.page.evaluate(() =>
    Object.fromEntries(Object.entries(localStorage).filter(([k]) => k.startsWith('chx:session-key:'))),
  )
  expect(Object.keys(carried)).toHaveLength(1)
  await c.close()
  const c2 = await Trader.open(browser, 'C2', 3)
  await c2.context.addInitScript(
    (entries) => {
      for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v)
    },
    { ...storage, ...carried },
  )
  await c2.join(link)
  await c2.waitLive()
  await expect(c2.page.getByTestId('catch-up')).toContainText(
    /Caught up from checkpoint \d+, signed by 3 of 3/,
    {
      timeout: 30_000,
    },
  )
  const peers = [a, b, c2]
  const caught = await converged(peers)
  const view = caught[2]!
  expect(view.catchUp.phase).toBe('restored')
  // what docs/BENCHMARKS.md quotes: ms from the lag seen to the restored replica live
  console.log(`catch-up: ${JSON.stringify(view.catchUp)}`)
  expect(Number(view.restoredFrom)).toBeGreaterThanOrEqual(v2)
  // the others' state: balances, open orders and trades as they were before C left
  expect({ ...comparable(view), stateRoot: '' }).toEqual({ ...comparable(before[2]!), stateRoot: '' })
  expect(view.equivocators).toEqual([])

  // and it trades from the new device: its order fills, everyone agrees, nobody saw C equivocate
  await c2.place('Sell', '1990', '0.2')
  const after = await converged(peers, (v) => v.trades >= before[0]!.trades + 1)
  expectSameState(after)
  for (const v of after) expect(v.equivocators).toEqual([])

  for (const t of peers) await t.close()
})
