import { expect, test } from '@playwright/test'
import { createPerpChannel, depositMargin, perpView } from './support/perps.ts'
import { erc20Balances, finalizeAndClaimAll, Settler, tokens } from './support/settlement.ts'
import { converged, sentStatus, Trader } from './support/trader.ts'

const USDC = 10n ** 6n

test('perps: oracle price, a 10× cap refused with its reason, long vs short, a price move, a liquidation, and a settlement paying the valued margin accounts', async ({
  browser,
}) => {
  const [a, b, c] = (await Promise.all([
    Trader.open(browser, 'A', 1),
    Trader.open(browser, 'B', 2),
    Trader.open(browser, 'C', 3),
  ])) as [Trader, Trader, Trader]
  const traders = [a, b, c]
  const [sa, sb] = [new Settler(a), new Settler(b)]
  await a.connect()
  // a refusal names the field, and the invite cannot be created until it is fixed
  const link = await createPerpChannel(a, [b.address, c.address], {
    beforeCreate: async (form) => {
      await form.locator('input[name="perp-mm"]').fill('1000')
      await expect(form.getByTestId('perp-errors')).toHaveText(
        'Maintenance margin: must be above 0 and below the initial margin at 10× (1000 bps)',
      )
      await expect(form.getByRole('button', { name: 'Create invite' })).toBeDisabled()
      await form.locator('input[name="perp-mm"]').fill('500')
    },
  })
  await Promise.all(traders.map((t) => t.join(link)))
  for (const t of traders) await t.authorise()
  await a.openOnChain()
  await Promise.all(traders.map((t) => t.waitLive()))
  const channelId = await sa.channelId()
  const [, usdc] = tokens() as [ReturnType<typeof tokens>[0], ReturnType<typeof tokens>[0]]
  const before = await Promise.all(traders.map((t) => erc20Balances(t.address as `0x${string}`)))
  const deposits = [5000n * USDC, 1000n * USDC, 5000n * USDC]
  await a.deposit(usdc.symbol, '5000')
  await b.deposit(usdc.symbol, '1000')
  await c.deposit(usdc.symbol, '5000')
  await converged(traders, (v) => v.holdings.every((h) => h[1] !== '0'))

  const perps = (t: Trader) => t.page.getByRole('region', { name: 'Perpetuals' })
  const entry = (t: Trader) => t.page.getByRole('form', { name: 'Perp trade' })
  // only the oracle sees the oracle panel; without an index price nothing trades
  await expect(perps(b).getByTestId('perp-no-price')).toBeVisible()
  await expect(b.page.getByRole('form', { name: 'Oracle' })).toHaveCount(0)
  const oracle = a.page.getByRole('form', { name: 'Oracle' })
  await oracle.locator('input[name="oracle-price"]').fill('2000')
  await oracle.getByRole('button', { name: 'Post price' }).click()
  await expect(oracle.getByRole('status')).toHaveText(sentStatus('Index price 2,000 USDC posted'))
  await converged(traders, (v) => v.pendingOps === 0)
  for (const t of traders) await expect(perps(t).getByTestId('perp-index')).toHaveText('2,000')

  // margin: B 250, C 2,000, A (the liquidator) 2,000
  await depositMargin(b, '250')
  await depositMargin(c, '2000')
  await depositMargin(a, '2000')

  // B asks for 1.5 WETH long at 2,000 on 250 of margin: 3,000 of notional is 12×, above the channel's 10×.
  // The core's own verdict is shown before anything is sent, and the button stays disabled
  await entry(b).locator('input[name="perp-price"]').fill('2000')
  await entry(b).locator('input[name="perp-qty"]').fill('1.5')
  await expect(entry(b).getByTestId('perp-refusal')).toHaveText(
    'The channel would refuse this order: leverage above the channel’s maximum: the account’s margin does not cover this order’s initial margin',
  )
  await expect(entry(b).getByRole('button', { name: 'Long WETH-PERP' })).toBeDisabled()

  // C rests a 1 WETH short at 2,000; B lifts it with 1 WETH long (8×, liquidation price shown before submit)
  await entry(c).getByRole('button', { name: 'Short', exact: true }).click()
  await entry(c).locator('input[name="perp-price"]').fill('2000')
  await entry(c).locator('input[name="perp-qty"]').fill('1')
  await entry(c).getByRole('button', { name: 'Short WETH-PERP' }).click()
  await expect(entry(c).getByRole('status')).toHaveText(sentStatus('Short 1 WETH-PERP submitted'))
  await converged(traders, (v) => v.pendingOps === 0)
  await entry(b).locator('input[name="perp-qty"]').fill('1')
  await expect(entry(b).getByTestId('perp-refusal')).toBeHidden()
  await expect(entry(b).getByTestId('perp-leverage')).toHaveText('8.03×')
  await expect(entry(b).getByTestId('perp-liq-price')).toHaveText('1,843.15 USDC')
  await entry(b).getByRole('button', { name: 'Long WETH-PERP' }).click()
  await expect(entry(b).getByRole('status')).toHaveText(sentStatus('Long 1 WETH-PERP submitted'))
  await converged(traders, (v) => v.trades >= 1)
  await expect(perps(b).getByTestId('position-1').getByTestId('position-size')).toHaveText('Long 1 WETH')
  await expect(perps(c).getByTestId('position-1').getByTestId('position-size')).toHaveText('Short 1 WETH')
  await expect(perps(b).getByTestId('position-1').locator('.badge')).toHaveText('final')
  await expect(perps(b).getByTestId('account-health')).toHaveText('healthy')

  // the oracle moves to 1,800: B's equity 249 − 200 = 49 < 5 % of 1,800; B sees it, A (Liquidator) liquidates
  await oracle.locator('input[name="oracle-price"]').fill('1800')
  await oracle.getByRole('button', { name: 'Post price' }).click()
  await converged(traders, (v) => v.pendingOps === 0)
  await expect(perps(b).getByTestId('account-health')).toHaveText('liquidatable')
  await expect(perps(b).getByTestId('perp-mark')).toHaveText('1,800')
  // C has no Liquidator role and the channel does not let anyone liquidate
  await perps(c)
    .getByRole('tab', { name: /Liquidations/ })
    .click()
  await expect(perps(c).getByTestId('liquidatable-1')).toContainText('only the Liquidator role may liquidate')
  await perps(a)
    .getByRole('tab', { name: /Liquidations/ })
    .click()
  await perps(a)
    .getByTestId('liquidatable-1')
    .getByRole('button', { name: /^Liquidate / })
    .click()
  await expect(perps(a).getByTestId('perps-message')).toContainText('Liquidation of')
  await converged(traders, (v) => v.pendingOps === 0)
  const pv = await perpView(a.page)
  // A took B's long over at mark; B paid 1 % of 1,800 to the insurance fund; B keeps 250 − 1 − 200 − 18 = 31
  expect(pv.sizes).toEqual(['1000', '0', '-1000'])
  expect(pv.insurance).toBe(String(18n * USDC))
  expect(pv.margin[1]).toBe(String(31n * USDC))
  await expect(perps(a).getByTestId('no-liquidations')).toBeVisible()
  await perps(a).getByRole('tab', { name: 'Positions' }).click()
  await expect(perps(a).getByTestId('position-1').getByTestId('position-size')).toHaveText('Long 1 WETH')
  await a.page.screenshot({ path: 'docs/screenshots/perps.png', fullPage: true })

  // settle: a checkpoint values every margin account at mark; the contract pays plain per-token leaves
  const requested = await sa.requestCheckpoint(3)
  const version = await sb.propose(requested)
  const cut = (await sa.tally(version))!
  const holdings = cut.holdings.map((row) => row.map(BigInt))
  // B: 750 in the ledger + 31 of margin. C: 3,000 + 2,000 − 0.4 maker fee + 200 short profit at 1,800.
  // A: 3,000 + 2,000 + 1.4 of trading fees + the 18 of insurance (it is the fee recipient)
  expect(holdings.map((h) => h[1])).toEqual([5019_400_000n, 781n * USDC, 5199_600_000n])
  expect(holdings.reduce((s, h) => s + h[1]!, 0n)).toBe(11_000n * USDC)
  // perps settle in the collateral token (USDC) only: no WETH moves
  await finalizeAndClaimAll({
    traders,
    finalizer: sb,
    channelId,
    version,
    before,
    deposits: deposits.map((d) => [0n, d]),
    holdings,
  })
  for (const t of traders) await t.close()
})
