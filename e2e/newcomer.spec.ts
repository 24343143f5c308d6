import { expect, test } from '@playwright/test'
import { type Address, createPublicClient, erc20Abi, http } from 'viem'
import { Settler } from './support/settlement.ts'
import { converged, devEnv, Trader } from './support/trader.ts'

const WINDOW = 10

/**
 * Runs against exactly what `npm start` serves — the vite dev server with React StrictMode (effects mount,
 * unmount and mount again), its own anvil and signaling server — from fresh browser profiles, the way a newcomer
 * meets the app (issue 11, item 1).
 */
test('a newcomer on `npm start`: create, join ×2, authorise (surviving a reload), open, deposit, trade, settle, withdraw', async ({
  browser,
}) => {
  // a cold dev server optimizes its dependencies on the first page load: slower than the preview build
  test.setTimeout(300_000)
  const target = devEnv()
  const traders = await Promise.all([
    Trader.open(browser, 'A', 1, target),
    Trader.open(browser, 'B', 2, target),
    Trader.open(browser, 'C', 3, target),
  ])
  const [a, b, c] = traders as [Trader, Trader, Trader]
  // like a chain, npm start's anvil mines on a clock, not only on transactions
  const blockNumber = async () => {
    const res = await fetch(target.rpc, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
    })
    return Number(((await res.json()) as { result: string }).result)
  }
  const startBlock = await blockNumber()
  await expect.poll(blockNumber, { timeout: 5_000 }).toBeGreaterThan(startBlock + 1)
  // every uncaught error and console error in any page fails the scenario
  const errors: string[] = []
  for (const t of traders) {
    t.page.on('pageerror', (e) => errors.push(`[${t.name}] ${e.message}`))
    t.page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`[${t.name}] console: ${m.text()}`)
    })
  }
  await a.connect()
  const link = await a.createChannel([b.address, c.address], WINDOW)
  await Promise.all(traders.map((t) => t.join(link)))
  // the lobby connects: every page sees the other two over WebRTC
  for (const t of traders)
    await expect(t.page.getByText(/Browser connections to peers: 2 /)).toBeVisible({ timeout: 60_000 })

  // A authorises, reloads: its authorisation is still there, and the others see it
  await a.authorise()
  await a.page.reload()
  await expect(a.page.getByRole('table', { name: 'Participants' })).toBeVisible()
  await expect(a.page.getByText('session key authorised')).toHaveCount(1)
  await expect(a.page.getByRole('button', { name: 'Authorise session key' })).toBeHidden()
  for (const t of [b, c]) await expect(t.page.getByText('session key authorised')).toHaveCount(1)

  await b.authorise()
  await c.authorise()
  for (const t of traders) await expect(t.page.getByText('session key authorised')).toHaveCount(3)
  await a.openOnChain()
  await Promise.all(traders.map((t) => t.waitLive()))

  await a.deposit('WETH', '10')
  await b.deposit('USDC', '50000')
  await c.deposit('USDC', '50000')
  await converged(
    traders,
    (v) => v.holdings[0]![0] !== '0' && v.holdings[1]![1] !== '0' && v.holdings[2]![1] !== '0',
  )
  await a.place('Sell', '2000', '1')
  await converged(traders, (v) => v.book[0]!.length === 1)
  await b.place('Buy', '2000', '0.6')
  const views = await converged(traders, (v) => v.trades >= 1)
  expect(BigInt(views[0]!.holdings[0]![0]!)).toBe(94n * 10n ** 17n)
  expect(BigInt(views[0]!.holdings[1]![0]!)).toBe(6n * 10n ** 17n)

  const step = (t: Trader) =>
    t.page.getByRole('list', { name: 'Settlement steps' }).locator('li[aria-current="step"]')

  // settle: a checkpoint signed by the threshold, proposed on chain; the chain mines on its own clock, so the
  // countdown runs and the window ends without anyone sending a transaction
  const settlers = traders.map((t) => new Settler(t))
  const [sa, sb] = settlers as [Settler, Settler, Settler]
  // this channel's quorum is 3 of 3: the checkpoint can go on chain once all three signed it
  const v = await sa.requestCheckpoint(3)
  await converged(traders, (x) => BigInt(x.latestCheckpoint) >= BigInt(v))
  // the settlement checklist says where each participant stands: A traded and its balances are in a signed
  // checkpoint (propose is next); C only deposited (a trade is next, though it may settle right away)
  await expect(step(a)).toHaveAttribute('data-step', 'propose')
  await expect(step(c)).toHaveAttribute('data-step', 'trade')
  await expect(c.page.getByTestId('next-step')).toContainText('place an order')
  await sa.propose(v)
  for (const t of traders) {
    await expect(t.page.getByTestId('channel-phase')).toContainText('Channel settling on chain')
    // proposed by A: for everyone, the next step is the end of the dispute window
    await expect(step(t)).toHaveAttribute('data-step', 'finalize')
  }
  await expect(sb.panel.getByRole('button', { name: 'Finalize' })).toBeEnabled({
    timeout: (WINDOW + 15) * 1000,
  })
  await sb.finalize()
  for (const t of traders)
    await expect(t.page.getByTestId('channel-phase')).toContainText('Channel finalized on chain')
  // nothing moved after the proposal: the finalized holdings are what the screens show
  const final = await converged(traders)
  expect(final[0]!.holdings).toEqual(views[0]!.holdings)

  // everyone claims and withdraws: each wallet receives exactly its holdings in the channel
  const tokens = JSON.parse(process.env.E2E_DEV_TOKENS!) as { address: Address }[]
  const client = createPublicClient({ transport: http(target.rpc) })
  const wallet = (who: string) =>
    Promise.all(
      tokens.map((t) =>
        client.readContract({
          address: t.address,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [who as Address],
        }),
      ),
    )
  for (const [i, s] of settlers.entries()) {
    const before = await wallet(s.address)
    await s.claim()
    const after = await wallet(s.address)
    expect(after.map((x, k) => x - before[k]!)).toEqual(final[0]!.holdings[i]!.map(BigInt))
  }
  for (const t of traders)
    await expect(t.page.getByTestId('next-step')).toHaveText(
      'Settled: everything the channel owed you is paid out.',
    )
  expect(errors).toEqual([])
  for (const t of traders) await t.close()
})
