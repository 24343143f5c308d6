import { expect, type Page, test } from '@playwright/test'
import { Settler } from './support/settlement.ts'
import { converged, liveChannel, type Trader } from './support/trader.ts'

const WINDOW = 8

type Outcome = { ok: boolean; reason?: string }
const submitTransfer = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __chx: { submit(op: unknown): Outcome } }).__chx.submit({
        tag: 0x03,
        to: 0,
        token: 1,
        amount: 1n,
      }) as Outcome,
  )
const submitOrder = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __chx: { submit(op: unknown): Outcome } }).__chx.submit({
        tag: 0x10,
        market: 0,
        side: 0,
        kind: 0,
        tif: 0,
        price: 1n,
        qty: 1n,
      }) as Outcome,
  )

/** Entry controls of a page: order entry filled with a valid buy, funds with a valid amount; all must be closed. */
async function expectClosed(t: Trader, reason: RegExp) {
  const entry = t.page.getByRole('form', { name: 'Order entry' })
  await entry.locator('input[name="price"]').fill('1900')
  await entry.locator('input[name="qty"]').fill('0.1')
  await expect(entry.getByTestId('entry-closed')).toContainText(reason)
  await expect(entry.getByRole('button', { name: 'Buy WETH' })).toBeDisabled()
  const funds = t.page.getByRole('region', { name: 'Funds' })
  await funds.locator('input[name="fund-amount"]').fill('1')
  await expect(funds.getByTestId('funds-closed')).toContainText(reason)
  await expect(funds.getByRole('button', { name: 'Deposit on chain' })).toBeDisabled()
  await expect(funds.getByRole('button', { name: 'Transfer in channel' })).toBeDisabled()
  // and the core refuses them whatever sends them, before anything enters a batch
  for (const outcome of [await submitOrder(t.page), await submitTransfer(t.page)]) {
    expect(outcome.ok).toBe(false)
    expect(outcome.reason).toMatch(reason)
  }
}

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
  await converged(traders, (x) => x.checkpoints.includes(String(requested)))
  await sa.propose(requested)
  for (const t of traders) {
    await expect(t.page.getByTestId('channel-phase')).toContainText('Channel settling on chain')
    await expect.poll(async () => (await t.view()).settlement).toBe('disputing')
    await expectClosed(t, /settling on chain/)
  }

  await expect(sb.panel.getByRole('button', { name: 'Finalize' })).toBeVisible({
    timeout: (WINDOW + 10) * 1000,
  })
  await fetch(process.env.E2E_RPC_URL!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_mine', params: [] }),
  })
  await sb.finalize()
  for (const t of traders) {
    await expect(t.page.getByTestId('channel-phase')).toContainText('Channel finalized on chain')
    await expectClosed(t, /finalized on chain/)
  }
  // nothing was traded or moved after the proposal
  const after = await converged(traders)
  expect(after[0]!.holdings).toEqual(before[0]!.holdings)
  expect(after[0]!.trades).toBe(before[0]!.trades)
  for (const t of traders) await t.close()
})
