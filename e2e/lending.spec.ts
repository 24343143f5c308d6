import { expect, test } from '@playwright/test'
import { erc20Balances, finalizeAndClaimAll, Settler, tokens } from './support/settlement.ts'
import { converged, sentStatus, Trader } from './support/trader.ts'

const WINDOW = 600
const USDC = 10n ** 6n
const WETH = 10n ** 18n

/**
 * The design's lending story, four browsers: Alice (A, also the spot-price oracle) supplies USDC while Bob (B)
 * borrows WETH against USDC, Carol (C) supplies WETH, the price moves and Dave (D, the Liquidator) liquidates Bob;
 * then a settlement whose on-chain payouts equal the UI's final balances, every token conserved.
 */
test('lending: supply, a borrow refused above its LTV with the reason, a price move, a liquidation with the bonus, and a settlement paying the closed-out pool', async ({
  browser,
}) => {
  const [a, b, c, d] = (await Promise.all([
    Trader.open(browser, 'A', 1),
    Trader.open(browser, 'B', 2),
    Trader.open(browser, 'C', 3),
    Trader.open(browser, 'D', 4),
  ])) as [Trader, Trader, Trader, Trader]
  const traders = [a, b, c, d]
  const [sa, sb] = [new Settler(a), new Settler(b)]
  await a.connect()
  const form = a.page.getByRole('form', { name: 'Create channel' })
  const others = [b.address, c.address, d.address]
  for (let i = 0; i < others.length; i++) {
    if (i > 0) await form.getByRole('button', { name: '+ Add participant' }).click()
    await form.locator(`input[name="participant-${i + 1}"]`).fill(others[i]!)
  }
  await form.getByLabel('Role').nth(3).selectOption({ label: 'Liquidator' })
  await form.locator('input[name="window"]').fill(String(WINDOW))
  await form.locator('input[name="lending-enabled"]').check()
  await form.locator('select[name="lending-oracle"]').selectOption({ index: 0 })
  await form.getByRole('button', { name: 'Create invite' }).click()
  const link = await a.page.getByTestId('invite-link').inputValue()
  await Promise.all(traders.map((t) => t.join(link)))
  for (const t of traders) await t.authorise()
  await a.openOnChain()
  await Promise.all(traders.map((t) => t.waitLive()))
  const channelId = await sa.channelId()
  const [weth, usdc] = tokens() as [ReturnType<typeof tokens>[0], ReturnType<typeof tokens>[0]]
  const before = await Promise.all(traders.map((t) => erc20Balances(t.address as `0x${string}`)))
  const deposits = [
    [0n, 5000n * USDC],
    [0n, 1000n * USDC],
    [2n * WETH, 0n],
    [1n * WETH, 0n],
  ]
  await a.deposit(usdc.symbol, '5000')
  await b.deposit(usdc.symbol, '1000')
  await c.deposit(weth.symbol, '2')
  await d.deposit(weth.symbol, '1')
  await converged(traders, (v) => v.holdings.filter((h) => h.some((x) => x !== '0')).length === 4)

  const lend = (t: Trader) => t.page.getByRole('region', { name: 'Lend' })
  const act = async (t: Trader, symbol: string, amount: string, button: string) => {
    const panel = t.page.getByRole('region', { name: 'Supply and borrow' })
    await panel.locator('select[name="lend-token"]').selectOption({ label: symbol })
    await panel.locator('input[name="lend-amount"]').fill(amount)
    await panel.getByRole('button', { name: button, exact: true }).click()
    return panel.getByTestId('lend-message')
  }
  // only the oracle posts spot prices; without one nothing can be borrowed against
  await expect(b.page.getByRole('region', { name: 'Spot oracle' })).toHaveCount(0)
  const oracle = a.page.getByRole('region', { name: 'Spot oracle' })
  const post = async (price: string) => {
    await oracle.locator('input[name="oracle-price"]').fill(price)
    await oracle.getByRole('button', { name: 'Post price' }).click()
    await expect(oracle.getByRole('status')).toHaveText(sentStatus(`Price ${price} posted`))
  }
  await post('2000')
  await expect(await act(c, weth.symbol, '2', 'Supply')).toHaveText(sentStatus('Supplied 2 WETH'))
  await expect(await act(b, usdc.symbol, '1000', 'Supply')).toHaveText(sentStatus('Supplied 1,000 USDC'))
  await converged(traders, (v) => v.pendingOps === 0)
  // Alice supplies USDC while Bob borrows WETH against his: 1,000 USDC at 80 % LTV is 0.4 WETH at 2,000
  await expect(await act(b, weth.symbol, '0.5', 'Borrow')).toHaveText(
    'Refused: above the loan-to-value limit: the collateral does not cover this debt',
  )
  await Promise.all([
    act(a, usdc.symbol, '5000', 'Supply').then((m) =>
      expect(m).toHaveText(sentStatus('Supplied 5,000 USDC')),
    ),
    act(b, weth.symbol, '0.4', 'Borrow').then((m) => expect(m).toHaveText(sentStatus('Borrowed 0.4 WETH'))),
  ])
  await converged(traders, (v) => v.pendingOps === 0)
  await expect(lend(b).getByTestId('lend-borrowed-WETH')).toHaveText('0.4')
  await expect(lend(b).getByTestId('health-factor')).toHaveText('1.06')
  await expect(lend(b).getByTestId('health-warning')).toContainText('Close to liquidation')
  await expect(lend(c).getByTestId('lend-supplied-WETH')).toHaveText('2')
  await expect(d.page.getByRole('region', { name: 'Loan liquidations' })).toContainText(
    'Every loan is healthy',
  )

  // the price moves to 2,200: 0.4 WETH = 880 USDC > 850 (1,000 at the 85 % threshold); Dave liquidates Bob
  await post('2200')
  await converged(traders, (v) => v.pendingOps === 0)
  await expect(lend(b).getByTestId('health-warning')).toContainText('can be liquidated now')
  await expect(c.page.getByRole('region', { name: 'Loan liquidations' })).toHaveCount(0)
  const liquidations = d.page.getByRole('region', { name: 'Loan liquidations' })
  await liquidations.getByTestId('liquidate-1').click()
  await expect(liquidations.getByTestId('liquidation-message')).toContainText('Liquidation of')
  await converged(traders, (v) => v.pendingOps === 0)
  // Dave repaid Bob's 0.4 WETH (and the little interest) and took 880 · 1.05 = 924 USDC of Bob's supply
  await expect(lend(b).getByTestId('lend-borrowed-WETH')).toHaveText('0')
  await expect(lend(d).getByTestId('lend-supplied-USDC')).toHaveText(/^924(\.\d+)?$/)
  await expect(lend(b).getByTestId('lend-supplied-USDC')).toHaveText(/^7[56](\.\d+)?$/)
  await expect(liquidations).toContainText('Every loan is healthy')
  await d.page.screenshot({ path: 'docs/screenshots/lending.png', fullPage: true })

  // settle: the checkpoint closes the pool out into plain (account, token, amount) leaves
  const requested = await sa.requestCheckpoint(3)
  const version = await sb.propose(requested)
  const cut = (await sa.tally(version))!
  const holdings = cut.holdings.map((row) => row.map(BigInt))
  expect(holdings.reduce((s, h) => s + h[0]!, 0n)).toBe(3n * WETH)
  expect(holdings.reduce((s, h) => s + h[1]!, 0n)).toBe(6000n * USDC)
  // Carol earns the interest Bob paid (less the reserve); Dave holds 924 USDC less what he paid in WETH
  expect(holdings[2]![0]).toBeGreaterThanOrEqual(2n * WETH)
  expect(holdings[3]![1]! >= 924n * USDC && holdings[3]![1]! < 925n * USDC).toBe(true)
  await finalizeAndClaimAll({ traders, finalizer: sb, channelId, version, before, deposits, holdings })
  for (const t of traders) await t.close()
})
