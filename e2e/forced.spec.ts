import { expect, test } from '@playwright/test'
import { channelInfo, Settler } from './support/settlement.ts'
import { converged, liveChannel } from './support/trader.ts'

const WETH = 10n ** 18n

test('forced inclusion from the UI: a trader posts a transfer on chain, every replica folds it identically, and the channel keeps trading', async ({
  browser,
}) => {
  // A holds 10 WETH, B and C 50,000 USDC each
  const { traders } = await liveChannel(browser, [1, 2, 3])
  const [a, b, c] = traders as [(typeof traders)[0], (typeof traders)[0], (typeof traders)[0]]
  const channelId = await new Settler(a).channelId()
  const force = a.page.getByRole('region', { name: 'Force on chain' })
  const button = force.getByRole('button', { name: 'Force on chain' })

  // an op the channel would refuse is not posted: the reason shows and the button stays disabled
  await force.locator('select[name="force-token"]').selectOption({ label: 'WETH' })
  await force.locator('input[name="force-amount"]').fill('11')
  await expect(force.getByTestId('force-refusal')).toHaveText(
    'The channel would refuse this op (insufficient funds): it would be recorded with no effect.',
  )
  await expect(button).toBeDisabled()

  // A forces a transfer of 2 WETH to B: one wallet transaction, the record's index, then the replicas fold it
  await force.locator('input[name="force-amount"]').fill('2')
  await force.locator('select[name="force-to"]').selectOption({ index: 0 })
  await expect(force.getByTestId('force-refusal')).toBeHidden()
  await button.click()
  const status = force.getByRole('status')
  await expect(status).toHaveText(
    /^Force transfer of 2 WETH to .+: recorded on chain as forced op #0; the replicas fold it next$/,
    { timeout: 60_000 },
  )
  await expect(force.getByTestId('tx-hash')).toHaveCount(1)
  expect((await channelInfo(channelId)).forcedCount).toBe(1n)
  const views = await converged(traders, (v) => v.holdings[0]![0] === String(8n * WETH), 90_000)
  expect(views[0]!.holdings.map((h) => h[0])).toEqual([String(8n * WETH), String(2n * WETH), '0'])
  await expect(force.getByTestId('forced-record')).toHaveText(
    /^Forced op #0: transfer of 2 WETH to .+ · final$/,
    {
      timeout: 30_000,
    },
  )

  // the channel keeps working: B sells the forced 2 WETH to C on the book
  await b.place('Sell', '2000', '2')
  await converged(traders, (v) => v.book[0]!.length === 1)
  await c.place('Buy', '2000', '2')
  const after = await converged(traders, (v) => v.trades >= 1)
  const weth = after[0]!.holdings.map((h) => BigInt(h[0]!))
  expect(weth.slice(0, 2)).toEqual([8n * WETH, 0n])
  expect(weth.reduce((s, x) => s + x, 0n)).toBe(10n * WETH)
  for (const t of traders) await t.close()
})
