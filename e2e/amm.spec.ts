import { expect, type Page, test } from '@playwright/test'
import { erc20Balances, finalizeAndClaimAll, Settler, tokens } from './support/settlement.ts'
import { converged, sentStatus, Trader } from './support/trader.ts'

const WINDOW = 600
const USDC = 10n ** 6n
const WETH = 10n ** 18n

const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true })

/**
 * The design's AMM story, three browsers: Alice (A) opens the WETH/USDC pool voting a 0.05 % fee, Bob (B) adds twice
 * her liquidity voting 1 % — the share-weighted median moves to 1 % —, Carol (C) swaps USDC for WETH and pays the
 * voted fee (a swap above her balance is refused with the reason before anything is sent); then a settlement whose
 * on-chain payouts equal the UI's final holdings, the pool shares redeemed pro rata and every token conserved.
 */
test('amm: two LPs add liquidity and vote, the fee is their share-weighted median, a swap pays it, and the settlement redeems the shares', async ({
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
  const form = a.page.getByRole('form', { name: 'Create channel' })
  const others = [b.address, c.address]
  for (let i = 0; i < others.length; i++) {
    if (i > 0) await form.getByRole('button', { name: '+ Add participant' }).click()
    await form.locator(`input[name="participant-${i + 1}"]`).fill(others[i]!)
  }
  await form.locator('input[name="window"]').fill(String(WINDOW))
  await form.locator('input[name="amm-enabled"]').check()
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
    [1n * WETH, 3000n * USDC],
    [2n * WETH, 6000n * USDC],
    [0n, 1000n * USDC],
  ]
  await a.deposit(weth.symbol, '1')
  await a.deposit(usdc.symbol, '3000')
  await b.deposit(weth.symbol, '2')
  await b.deposit(usdc.symbol, '6000')
  await c.deposit(usdc.symbol, '1000')
  await converged(traders, (v) => v.holdings.filter((h) => h.some((x) => x !== '0')).length === 3)

  // Alice opens the pool: her deposit sets the price (3,000 USDC per WETH); the fee is her vote
  const liquidity = (t: Trader) => region(t.page, 'Liquidity')
  await expect(region(a.page, 'Pool')).toContainText('empty: the first deposit sets the price')
  await liquidity(a).locator('input[name="add-base"]').fill('1')
  await liquidity(a).locator('input[name="add-quote"]').fill('3000')
  await liquidity(a).locator('select[name="add-vote"]').selectOption({ label: '0.05 %' })
  await liquidity(a).getByRole('button', { name: 'Add liquidity' }).click()
  await expect(liquidity(a).getByTestId('liquidity-result')).toHaveText(
    sentStatus('Added 1 WETH + 3,000 USDC'),
  )
  await converged(traders, (v) => v.pendingOps === 0)
  await expect(region(b.page, 'Fee vote').getByTestId('pool-fee')).toHaveText('0.05 %')

  // Bob adds twice as much at the pool ratio (the quote side fills itself in) voting 1 %: his 2/3 of the shares
  // carry the median
  await liquidity(b).locator('input[name="add-base"]').fill('2')
  await expect(liquidity(b).locator('input[name="add-quote"]')).toHaveValue('6000')
  await liquidity(b).locator('select[name="add-vote"]').selectOption({ label: '1 %' })
  await liquidity(b).getByRole('button', { name: 'Add liquidity' }).click()
  await expect(liquidity(b).getByTestId('liquidity-result')).toHaveText(
    sentStatus('Added 2 WETH + 6,000 USDC'),
  )
  await converged(traders, (v) => v.pendingOps === 0)
  for (const t of traders) await expect(region(t.page, 'Fee vote').getByTestId('pool-fee')).toHaveText('1 %')
  const votes = region(c.page, 'Fee vote')
  await expect(votes.getByTestId('vote-tier-5')).toContainText('33.33 %')
  await expect(votes.getByTestId('vote-tier-100')).toContainText('66.66 %')
  await expect(votes.getByTestId('my-vote')).toHaveText(
    'You hold no shares of this pool: add liquidity to vote.',
  )

  // Carol swaps: more than her balance is refused before sending; 300 USDC buys WETH at the voted 1 % fee
  const swap = region(c.page, 'Swap')
  await swap.getByRole('button', { name: 'Buy WETH' }).click()
  await swap.locator('input[name="swap-amount"]').fill('5000')
  await expect(swap.locator('.error')).toHaveText('more than your available 1,000 USDC')
  await expect(swap.getByRole('button', { name: 'Swap', exact: true })).toBeDisabled()
  await swap.locator('input[name="swap-amount"]').fill('300')
  // 300 · 0.99 · 3 / (9,000 + 297) WETH ≈ 0.0958; the minimum 0.5 % (the default slippage) below it
  const expected = (300n * USDC * 9900n * 3n * WETH) / (9000n * USDC * 10_000n + 300n * USDC * 9900n)
  const fmt = (v: bigint) => {
    const s = (v / 10n ** 12n).toString().padStart(7, '0')
    return `${s.slice(0, -6)}.${s.slice(-6)}`.replace(/0+$/, '')
  }
  await expect(swap.getByTestId('swap-out')).toHaveText(`≈ ${fmt(expected)} WETH`)
  await expect(swap.getByTestId('swap-min-out')).toHaveText(`${fmt((expected * 9950n) / 10_000n)} WETH`)
  await expect(swap.getByTestId('swap-preview')).toContainText('1 % · 3 USDC')
  await swap.getByRole('button', { name: 'Swap', exact: true }).click()
  await expect(swap.getByTestId('swap-result')).toHaveText(sentStatus('Swapped 300 USDC'))
  await converged(traders, (v) => v.pendingOps === 0)
  await expect.poll(() => c.view().then((v) => v.available[0])).toBe(expected.toString())
  await c.page.screenshot({ path: 'docs/screenshots/amm.png', fullPage: true })

  // settle: every share is redeemed pro rata into plain (account, token, amount) leaves
  const ui = (await a.view()).holdings.map((row) => row.map(BigInt))
  const requested = await sa.requestCheckpoint(2)
  const version = await sb.propose(requested)
  const cut = (await sa.tally(version))!
  const holdings = cut.holdings.map((row) => row.map(BigInt))
  expect(holdings).toEqual(ui)
  expect(holdings.reduce((s, h) => s + h[0]!, 0n)).toBe(3n * WETH)
  expect(holdings.reduce((s, h) => s + h[1]!, 0n)).toBe(10_000n * USDC)
  // the LPs earned the fee: together they hold more than the 9,000 USDC + 3 WETH they put in, at the new price
  expect(holdings[2]![0]).toBe(expected)
  expect(holdings[2]![1]).toBe(700n * USDC)
  await finalizeAndClaimAll({ traders, finalizer: sb, channelId, version, before, deposits, holdings })
  for (const t of traders) await t.close()
})
