import { expect, test } from '@playwright/test'
import { converged, liveChannel, type Trader } from './support/trader.ts'

test('feedback: the form clears after a submit, a market order shows its summary, fills, partial fills, cancels and rejections appear in the activity feed with pending/final', async ({
  browser,
}) => {
  const { traders } = await liveChannel(browser, [8, 9])
  const [a, b] = traders as [Trader, Trader]
  const errors: string[] = []
  for (const t of traders) t.page.on('pageerror', (e) => errors.push(`[${t.name}] ${e.message}`))

  // A's ask: the form clears once it is submitted
  await a.place('Sell', '2000', '1')
  const entryA = a.page.getByRole('form', { name: 'Order entry' })
  await expect(entryA.locator('input[name="qty"]')).toHaveValue('')
  await expect(entryA.locator('input[name="price"]')).toHaveValue('')
  await a.place('Sell', '2010', '1')
  await converged(traders, (v) => v.book[0]!.length === 2)

  // B: a post-only bid that would cross is rejected with the reason, in the form and in the feed
  const entryB = b.page.getByRole('form', { name: 'Order entry' })
  await entryB.getByRole('button', { name: 'Buy', exact: true }).click()
  await entryB.getByRole('button', { name: 'Post only' }).click()
  await entryB.locator('input[name="price"]').fill('2000')
  await entryB.locator('input[name="qty"]').fill('0.1')
  await entryB.getByRole('button', { name: 'Buy WETH' }).click()
  await expect(entryB.getByRole('status')).toHaveText('Rejected: post-only order would cross')
  await expect(entryB.locator('input[name="qty"]')).toHaveValue('0.1')
  const feedB = b.page.getByRole('log', { name: 'Your activity' })
  await expect(feedB.getByTestId('activity-entry').first()).toContainText(
    'Rejected buy 0.1 WETH at 2,000: post-only order would cross',
    { timeout: 10_000 },
  )

  // B: a market buy of 1.5 WETH walks both asks; the summary shows average, slippage and fee before sending
  await entryB.getByRole('button', { name: 'Market' }).click()
  await entryB.locator('input[name="qty"]').fill('1.5')
  await expect(entryB.getByTestId('summary-average')).toHaveText(/^2,003\.33\d* USDC$/)
  await expect(entryB.getByTestId('summary-slippage')).toHaveText('0.17% (best 2,000)')
  await expect(entryB.getByTestId('summary-fee')).toContainText('USDC')
  await entryB.getByRole('button', { name: 'Buy WETH' }).click()
  await expect(entryB.getByRole('status')).toContainText('submitted')
  await expect(entryB.locator('input[name="qty"]')).toHaveValue('')
  await converged(traders, (v) => v.trades >= 2)
  // the form's line follows the order to final instead of saying "pending" for good
  await expect(entryB.getByRole('status')).toHaveText('Buy 1.5 WETH submitted (final)', { timeout: 30_000 })

  // A sees one full fill and one partial fill of its 2010 ask, final; B its two taker fills
  const feedA = a.page.getByRole('log', { name: 'Your activity' })
  await expect(feedA).toContainText('Filled: sold 1 WETH at 2,000 USDC (1 of 1 filled) · maker')
  await expect(feedA).toContainText('Partial fill: sold 0.5 WETH at 2,010 USDC (0.5 of 1 filled) · maker')
  await expect(feedA.getByTestId('activity-entry').first()).toContainText('final', { timeout: 30_000 })
  await expect(feedB).toContainText('bought 0.5 WETH at 2,010 USDC')

  // B's trades table: time, its side, its fee and its order's average price
  await b.page.getByRole('tab', { name: 'Trades' }).click()
  const rows = b.page.getByRole('table', { name: 'Trade history' }).getByTestId('trade-row')
  await expect(rows).toHaveCount(2)
  await expect(rows.first()).toContainText('Buy (taker)')
  await expect(rows.first()).toContainText(/2,003\.33/)
  await expect(rows.first()).toContainText('USDC')
  await expect(rows.first().locator('td').first()).toHaveText(/\d\d:\d\d/)

  // A cancels the rest with a double-click: one cancel, listed as cancelled, pending then final (the second click
  // used to submit a second cancel, listed as rejected: unknown order)
  await a.page.getByRole('table', { name: 'Open orders' }).getByRole('button', { name: 'Cancel' }).dblclick()
  await expect(feedA.getByTestId('activity-entry').first()).toContainText('Cancelled: order you #', {
    timeout: 10_000,
  })
  await expect(feedA.getByTestId('activity-entry').first()).toContainText('final', { timeout: 30_000 })
  await expect(feedA).not.toContainText('Rejected cancel')
  expect(errors).toEqual([])
  for (const t of traders) await t.close()
})
