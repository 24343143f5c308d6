import { expect, test } from '@playwright/test'
import { expectClosed, submitOrder } from './support/closedChannel.ts'
import { mine, Settler } from './support/settlement.ts'
import { converged, liveChannel } from './support/trader.ts'

const WINDOW = 8

test('during a dispute and after finalization the channel says so and refuses orders, transfers and deposits', async ({
  browser,
}) => {
  const { traders } = await liveChannel(browser, [6, 7], undefined, WINDOW)
  const settlers = traders.map((t) => new Settler(t))
  const [sa, sb] = settlers as [Settler, Settler]
  // while open: no banner, orders go
  await expect(traders[0]!.page.getByTestId('channel-phase')).toBeHidden()
  expect((await submitOrder(traders[1]!.page)).ok).toBe(true)
  const before = await converged(traders, (v) => v.book[0]!.length === 1)

  const requested = await sa.requestCheckpoint(2)
  await converged(traders, (x) => BigInt(x.latestCheckpoint) >= BigInt(requested))
  await sa.propose(requested)
  for (const t of traders) {
    await expect(t.page.getByTestId('channel-phase')).toContainText('Channel settling on chain')
    await expect.poll(async () => (await t.view()).settlement).toBe('disputing')
    await expectClosed(t, /settling on chain/)
  }

  await expect(sb.panel.getByRole('button', { name: 'Finalize' })).toBeVisible({
    timeout: (WINDOW + 10) * 1000,
  })
  await mine()
  await sb.finalize()
  for (const t of traders) {
    await expect(t.page.getByTestId('channel-phase')).toContainText('Channel finalized on chain')
    await expectClosed(t, /finalized on chain/)
    // the resting order is shown as settled, not as if it could still fill
    await expect(t.page.getByTestId('book-closed')).toContainText('can no longer fill')
  }
  // nothing was traded or moved after the proposal
  const after = await converged(traders)
  expect(after[0]!.holdings).toEqual(before[0]!.holdings)
  expect(after[0]!.trades).toBe(before[0]!.trades)
  for (const t of traders) await t.close()
})
