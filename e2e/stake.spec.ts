import { expect, type Page, test } from '@playwright/test'
import { Settler } from './support/settlement.ts'
import { converged, liveChannel, type Trader } from './support/trader.ts'

/** Reject.BondBelowMinStake and Reject.ChannelNotLive (src/core/reasons.ts) */
const BOND_BELOW_MIN_STAKE = 71
const CHANNEL_NOT_LIVE = 73
/** How the app names another participant: its index and short address (ChannelPage `names`) */
const named = (t: Trader, index: number) => `P${index} (${t.address.slice(0, 6)}…${t.address.slice(-4)})`

type Outcome = { ok: boolean; result?: number; reason?: string }
/** A buy of one lot at one tick, sent to the store as any caller could (the form refuses it earlier). */
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

/** Fills a valid order; returns the order entry's refusal line (or the hidden locator when it may trade). */
async function entryFor(t: Trader, side: 'Buy' | 'Sell') {
  const entry = t.page.getByRole('form', { name: 'Order entry' })
  await entry.getByRole('button', { name: side, exact: true }).click()
  await entry.locator('input[name="price"]').fill('2000')
  await entry.locator('input[name="qty"]').fill('1')
  return { alert: entry.getByRole('alert'), button: entry.getByRole('button', { name: `${side} WETH` }) }
}

test('minStake: the channel is not live until every participant has bonded; the form names whom it waits for, then all three trade', async ({
  browser,
}) => {
  // three participants (q = 3) who must each bond 0.5 ETH; deposits are credited before anyone bonded
  const { traders } = await liveChannel(browser, [4, 5, 6], undefined, 60, undefined, { minStake: '0.5' })
  const [a, b, c] = traders as [Trader, Trader, Trader]
  const [sa, sb, sc] = traders.map((t) => new Settler(t)) as [Settler, Settler, Settler]
  const waiting = 'Trading opens when every participant has bonded 0.5 ETH: waiting for'

  // nobody bonded: the form names everyone, says how to bond, and cannot send; the fold rejects the op anyway
  const first = await entryFor(a, 'Sell')
  await expect(first.alert).toContainText(`${waiting} you (P0), ${named(b, 1)} and ${named(c, 2)}`)
  await expect(first.alert).toContainText('bond at least 0.5 ETH in the Funds panel')
  await expect(first.button).toBeDisabled()
  expect((await submitOrder(a.page)).result).toBe(BOND_BELOW_MIN_STAKE)
  await converged(traders)

  // A and B bond through the UI: once every app attested both, the channel still waits for C alone
  await sa.bond('0.5')
  await sb.bond('0.5')
  for (const [t, side] of [
    [a, 'Sell'],
    [b, 'Buy'],
  ] as const) {
    const { alert, button } = await entryFor(t, side)
    await expect(alert).toHaveText(`${waiting} ${named(c, 2)}`, { timeout: 30_000 })
    await expect(button).toBeDisabled()
    // bonded, yet refused: the channel is not live (and the Funds panel says the same next to the bond action)
    expect((await submitOrder(t.page)).result).toBe(CHANNEL_NOT_LIVE)
    await expect(t.page.getByTestId('bond-waiting')).toHaveText(`${waiting} ${named(c, 2)}`)
  }
  const forC = await entryFor(c, 'Buy')
  await expect(forC.alert).toContainText(`${waiting} you (P2); bond at least 0.5 ETH`)
  expect((await submitOrder(c.page)).result).toBe(BOND_BELOW_MIN_STAKE)
  await converged(traders)

  // C bonds: the channel goes live for everyone; A's offer fills against B's and C's bids
  await sc.bond('0.5')
  for (const [t, side] of [
    [a, 'Sell'],
    [b, 'Buy'],
    [c, 'Buy'],
  ] as const) {
    await expect((await entryFor(t, side)).alert).toBeHidden({ timeout: 30_000 })
    await expect(t.page.getByTestId('bond-waiting')).toBeHidden()
  }
  await a.place('Sell', '2000', '2')
  await b.place('Buy', '2000', '1')
  await c.place('Buy', '2000', '1')
  const views = await converged(traders, (v) => v.trades >= 2)
  expect(views[0]!.trades).toBe(2)
  for (const t of traders) await t.close()
})
