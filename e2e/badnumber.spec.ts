import { expect, test } from '@playwright/test'
import { converged, liveChannel, type Trader } from './support/trader.ts'

type Outcome = { ok: boolean; reason?: string }

test('one bad number never wedges a session: a 27-digit price and a decimal comma are refused with a message, nothing enters a batch, the next order reaches peers', async ({
  browser,
}) => {
  const { traders } = await liveChannel(browser, [6, 7])
  const [a, b] = traders as [Trader, Trader]
  const errors: string[] = []
  for (const t of traders) t.page.on('pageerror', (e) => errors.push(`[${t.name}] ${e.message}`))

  // the order form says what is wrong and offers no submit
  const entry = a.page.getByRole('form', { name: 'Order entry' })
  await entry.getByRole('button', { name: 'Sell', exact: true }).click()
  await entry.locator('input[name="price"]').fill('100000000000000000000000000')
  await entry.locator('input[name="qty"]').fill('1')
  await expect(entry.getByRole('alert')).toContainText('price out of range: at most')
  await expect(entry.getByRole('button', { name: 'Sell WETH' })).toBeDisabled()
  await entry.locator('input[name="price"]').press('Enter')
  await expect(entry.getByRole('status')).toBeHidden()
  // a decimal comma is refused, not read as fifteen
  await entry.locator('input[name="price"]').fill('2000')
  await entry.locator('input[name="qty"]').fill('1,5')
  await expect(entry.getByRole('alert')).toContainText('use a decimal point, not a comma')
  await expect(entry.getByRole('button', { name: 'Sell WETH' })).toBeDisabled()

  // the store's submit path refuses such an op whatever sends it, naming the field, before it enters a batch
  const outcome = await a.page.evaluate(
    () =>
      (window as unknown as { __chx: { submit(op: unknown): Outcome } }).__chx.submit({
        tag: 0x10,
        market: 0,
        side: 1,
        kind: 0,
        tif: 0,
        price: 10n ** 26n,
        qty: 1n,
      }) as Outcome,
  )
  expect(outcome.ok).toBe(false)
  expect(outcome.reason).toMatch(/price must be a whole number from 0 to 18446744073709551615/)
  expect((await a.view()).pendingOps).toBe(0)

  // the session goes on: the next order reaches the peer and trades
  await a.place('Sell', '2000', '1')
  await converged(traders, (v) => v.book[0]!.length === 1)
  await b.place('Buy', '2000', '0.5')
  await converged(traders, (v) => v.trades >= 1)
  expect(errors).toEqual([])
  for (const t of traders) await t.close()
})
