import { expect, type Locator, test } from '@playwright/test'
import { fundingRate } from '../src/core/perps/funding.ts'
import { parseUnits } from '../src/ui/format.ts'
import { createPerpChannel, depositMargin, perpOrder, perpsOf, postPrice } from './support/perps.ts'
import { erc20Balances, finalizeAndClaimAll, Settler, tokens } from './support/settlement.ts'
import { converged, Trader } from './support/trader.ts'

const USDC = 10n ** 6n
const INTERVAL_SEC = 3
/** the form's defaults (perpForm.ts): funding factor 1,000 bps of the premium, capped at 50 bps per interval */
const FUNDING = { fundingFactorBps: 1000n, fundingCapBps: 50n }
/** WETH-PERP: lot 0.001 WETH, a tick of 0.01 USDC per WETH is 10 USDC units per lot */
const LOTS_PER_WETH = 1000n
const TICK = 10n

/** "longs paid 1.5" → 1,500,000 (USDC units, > 0 when longs paid), "none" → 0. */
function paidOf(text: string): bigint {
  if (text === 'none') return 0n
  const m = text.match(/^(longs|shorts) paid ([\d,.]+)$/)
  if (!m) throw new Error(`not a funding payment: ${text}`)
  const v = parseUnits(m[2]!.replaceAll(',', ''), 6)
  return m[1] === 'longs' ? v : -v
}
/** "1,990" (USDC per WETH) → ticks of 0.01 */
const ticksOf = (text: string) => parseUnits(text.replaceAll(',', ''), 2)
/** "-1,234.5" → −1,234,500,000 (USDC units) */
const usdcOf = (text: string) =>
  text.startsWith('-')
    ? -parseUnits(text.slice(1).replaceAll(',', ''), 6)
    : parseUnits(text.replaceAll(',', ''), 6)

/** The Funding tab's rows as numbers: intervals, mark and index (ticks), rate per lot, open interest, paid. */
async function fundingRows(perps: Locator) {
  await perps.getByRole('tab', { name: 'Funding' }).click()
  const rows = perps.getByRole('table', { name: 'Funding history' }).getByTestId('funding-row')
  const out = []
  for (const row of await rows.all()) {
    const cells = await row.locator('td').allTextContents()
    out.push({
      intervals: BigInt(cells[1]!),
      mark: ticksOf(cells[2]!),
      index: ticksOf(cells[3]!),
      // shown per WETH
      rate: usdcOf(cells[4]!) / LOTS_PER_WETH,
      openInterest: parseUnits(cells[5]!, 3),
      paid: paidOf(cells[6]!),
    })
  }
  return out
}

test('perps funding: a mark above the index makes the long pay the short every interval of the channel clock, shown alike on both sides, and the settlement pays the accounts net of it', async ({
  browser,
}) => {
  // a whole channel lifetime (open, deposits, trades, a wait of 2.5 funding intervals, settlement and claims)
  test.setTimeout(300_000)
  const [a, b, c] = (await Promise.all([
    Trader.open(browser, 'A', 1),
    Trader.open(browser, 'B', 2),
    Trader.open(browser, 'C', 3),
  ])) as [Trader, Trader, Trader]
  const traders = [a, b, c]
  const [sa, sb] = [new Settler(a), new Settler(b)]
  await a.connect()
  const link = await createPerpChannel(a, [b.address, c.address], { fundingIntervalSec: INTERVAL_SEC })
  await Promise.all(traders.map((t) => t.join(link)))
  for (const t of traders) await t.authorise()
  await a.openOnChain()
  await Promise.all(traders.map((t) => t.waitLive()))
  // the channel says how often it pays funding
  await perpsOf(b).getByRole('tab', { name: 'Funding' }).click()
  await expect(perpsOf(b).getByTestId('no-funding')).toHaveText(
    `No funding paid yet (every ${INTERVAL_SEC} s of the channel clock).`,
  )
  const channelId = await sa.channelId()
  const usdc = tokens()[1]!
  const before = await Promise.all(traders.map((t) => erc20Balances(t.address as `0x${string}`)))
  await a.deposit(usdc.symbol, '5000')
  await b.deposit(usdc.symbol, '1000')
  await c.deposit(usdc.symbol, '1000')
  await converged(traders, (v) => v.holdings.every((h) => h[1] !== '0'))

  // A is the oracle and the market maker; B goes long 1 WETH against C's short at the index
  await postPrice(a, '2000')
  await depositMargin(a, '1000')
  await depositMargin(b, '500')
  await depositMargin(c, '500')
  await converged(traders, (v) => v.pendingOps === 0)
  await perpOrder(c, 'Short', '2000', '1')
  await converged(traders, (v) => v.pendingOps === 0)
  await perpOrder(b, 'Long', '2000', '1')
  await converged(traders, (v) => v.trades >= 1)
  await perpsOf(b).getByRole('tab', { name: 'Positions' }).click()
  await expect(perpsOf(b).getByTestId('position-1').getByTestId('position-size')).toHaveText('Long 1 WETH')
  // A quotes 2,040 / 2,060 (book mid 2,050); the index drops to 1,990: the mark is median(1,990, 2,050, 2,000)
  await perpOrder(a, 'Long', '2040', '0.1')
  await perpOrder(a, 'Short', '2060', '0.1')
  await postPrice(a, '1990')
  await converged(traders, (v) => v.pendingOps === 0)
  for (const t of traders) await expect(perpsOf(t).getByTestId('perp-mark')).toHaveText('2,000')
  // intervals of the channel clock pass while nobody writes. The clock at a committed leader is the median of the
  // times of the blocks it cites, so the first op after a quiet spell still carries the clock of the last activity;
  // its round brings the clock up to date and the oracle's next price pays the intervals at the mark before it
  await a.page.waitForTimeout(INTERVAL_SEC * 2_500)
  await postPrice(a, '1990')
  await converged(traders, (v) => v.pendingOps === 0)
  await postPrice(a, '1990')
  await converged(traders, (v) => v.pendingOps === 0)

  // every replica shows the same history; each payment follows the core's rule from its mark and index
  const rows = await fundingRows(perpsOf(b))
  expect(await fundingRows(perpsOf(c))).toEqual(rows)
  expect(await fundingRows(perpsOf(a))).toEqual(rows)
  for (const r of rows) {
    expect(r.rate).toBe(fundingRate(r.mark, r.index, TICK, FUNDING))
    expect(r.paid).toBe(r.rate * r.intervals * r.openInterest)
  }
  const paying = rows.filter((r) => r.paid !== 0n)
  expect(paying.length).toBeGreaterThan(0)
  // mark 2,000 over index 1,990: 10 USDC of premium · 10 % = 1 USDC per WETH and interval, longs pay
  for (const r of paying)
    expect([r.mark, r.index, r.rate, r.openInterest]).toEqual([200_000n, 199_000n, 1000n, 1000n])
  const F = rows.reduce((s, r) => s + r.paid, 0n)
  expect(F).toBeGreaterThanOrEqual(2n * USDC)
  await expect(perpsOf(b).getByRole('row').filter({ hasText: 'longs paid' }).first()).toBeVisible()

  // the long paid exactly what the short received, as each position shows it
  const fundingPaid = async (t: Trader) => {
    await perpsOf(t).getByRole('tab', { name: 'Positions' }).click()
    return usdcOf((await perpsOf(t).getByTestId('position-1').getByTestId('position-funding').textContent())!)
  }
  expect(await fundingPaid(b)).toBe(F)
  expect(await fundingPaid(c)).toBe(-F)

  // settle: the checkpoint values the accounts at the mark (= both entries) net of the funding
  const requested = await sa.requestCheckpoint(3)
  const version = await sb.propose(requested)
  const cut = (await sa.tally(version))!
  const holdings = cut.holdings.map((row) => row.map(BigInt))
  // fees: taker B 5 bps of 2,000 = 1, maker C 2 bps = 0.4, both to A (the fee recipient)
  expect(holdings.map((h) => h[1])).toEqual([5001_400_000n, 999n * USDC - F, 999_600_000n + F])
  await finalizeAndClaimAll({
    traders,
    finalizer: sb,
    channelId,
    version,
    before,
    deposits: [5000n, 1000n, 1000n].map((d) => [0n, d * USDC]),
    holdings,
  })
  for (const t of traders) await t.close()
})
