import { expect, test } from '@playwright/test'
import { converged, Trader } from './support/trader.ts'

test('three traders open a channel, deposit, and cross orders concurrently; every context agrees', async ({
  browser,
}) => {
  const [a, b, c] = await Promise.all([
    Trader.open(browser, 'A', 1),
    Trader.open(browser, 'B', 2),
    Trader.open(browser, 'C', 3),
  ])
  const all = [a!, b!, c!]
  await a!.connect()
  const link = await a!.createChannel([b!.address, c!.address])
  await Promise.all(all.map((t) => t.join(link)))
  for (const t of all) await t.authorise()
  await a!.openOnChain()
  await Promise.all(all.map((t) => t.waitLive()))
  await a!.page.screenshot({ path: 'docs/screenshots/lobby-open.png' })

  await a!.deposit('WETH', '10')
  await b!.deposit('USDC', '50000')
  await c!.deposit('USDC', '50000')
  await converged(
    all,
    (v) => v.holdings[0]![0] !== '0' && v.holdings[1]![1] !== '0' && v.holdings[2]![1] !== '0',
  )

  // A quotes two asks; B and C lift them at the same time
  await a!.place('Sell', '2000', '1')
  await a!.place('Sell', '2001', '1')
  await converged(all, (v) => v.book[0]!.length === 2)
  await Promise.all([b!.place('Buy', '2001', '1.5'), c!.place('Buy', '2001', '1')])

  const views = await converged(all, (v) => v.trades >= 2)
  // fills and balances agree everywhere (same root) and conserve tokens: 10 WETH in total, A sold 2 of them
  const weth = views[0]!.holdings.reduce((s, h) => s + BigInt(h[0]!), 0n)
  expect(weth).toBe(10n * 10n ** 18n)
  expect(BigInt(views[0]!.holdings[0]![0]!)).toBe(8n * 10n ** 18n)
  // the book shows the same resting remainder in every context
  for (const t of all) await expect(t.page.getByTestId('last-price')).toHaveText(/2,00[01]/)
  await a!.page.screenshot({ path: 'docs/screenshots/trading.png', fullPage: true })
  for (const t of all) await t.close()
})
