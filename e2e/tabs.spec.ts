import { expect, test } from '@playwright/test'
import { converged, liveChannel, Trader } from './support/trader.ts'

test('one participant in two tabs of one context: same state, one writer at a time, never an equivocation', async ({
  browser,
}) => {
  const { traders, link } = await liveChannel(browser, [1, 2])
  const [a, b] = traders as [Trader, Trader]
  // a second tab of A's browser
  const second = new Trader('A2', a.context, await a.context.newPage(), a.address)
  await second.join(link)
  await second.waitLive()
  await expect(second.page.getByTestId('read-only')).toBeVisible()
  await expect(a.page.getByTestId('read-only')).toBeHidden()
  // A trades in its writing tab; the second tab shows the same state
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '0.5')
  await converged([a, b, second], (v) => v.trades >= 1)
  // the writer tab closes: the second tab takes over as writer after a reload and keeps A's seq going
  await a.page.close()
  await expect(second.page.getByTestId('read-only')).toBeHidden({ timeout: 60_000 })
  await second.waitLive()
  await second.place('Sell', '2005', '0.3')
  const views = await converged([second, b], (v) => v.book[0]!.some((o) => o.startsWith('1:2005')))
  expect(views.every((v) => v.equivocators.length === 0)).toBe(true)
  await second.page.screenshot({ path: 'docs/screenshots/two-tabs.png' })
  await b.close()
  await a.context.close()
})
