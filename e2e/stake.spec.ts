import { expect, type Page, test } from '@playwright/test'
import { Settler } from './support/settlement.ts'
import { converged, liveChannel, type Trader } from './support/trader.ts'

/** Reject.BondBelowMinStake (src/core/reasons.ts) */
const BOND_BELOW_MIN_STAKE = 71

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

test('minStake: orders are refused with the reason until the trader has bonded; after bonding in the Funds panel both trade', async ({
  browser,
}) => {
  // a channel whose participants must each bond 0.5 ETH; deposits are credited before anyone bonded
  const { traders } = await liveChannel(browser, [4, 5], undefined, 60, undefined, { minStake: '0.5' })
  const [a, b] = traders as [Trader, Trader]
  const [sa, sb] = traders.map((t) => new Settler(t)) as [Settler, Settler]

  // nobody bonded: the form says why and cannot send, and the fold rejects the op whatever sends it
  for (const [t, side] of [
    [a, 'Sell'],
    [b, 'Buy'],
  ] as const) {
    const { alert, button } = await entryFor(t, side)
    await expect(alert).toContainText('bond at least 0.5 ETH first')
    await expect(button).toBeDisabled()
    const outcome = await submitOrder(t.page)
    expect(outcome.ok).toBe(true)
    expect(outcome.result).toBe(BOND_BELOW_MIN_STAKE)
  }
  await converged(traders)

  // A bonds through the UI: once both apps attested it on chain, A's orders go; B is still refused
  await sa.bond('0.5')
  const forA = await entryFor(a, 'Sell')
  await expect(forA.alert).toBeHidden({ timeout: 30_000 })
  await a.place('Sell', '2000', '1')
  const forB = await entryFor(b, 'Buy')
  await expect(forB.alert).toContainText('bond at least 0.5 ETH first')
  await expect(forB.button).toBeDisabled()
  expect((await submitOrder(b.page)).result).toBe(BOND_BELOW_MIN_STAKE)

  // B bonds: its order matches A's
  await sb.bond('0.5')
  await expect((await entryFor(b, 'Buy')).alert).toBeHidden({ timeout: 30_000 })
  await b.place('Buy', '2000', '1')
  const views = await converged(traders, (v) => v.trades >= 1)
  expect(views[0]!.trades).toBe(1)
  for (const t of traders) await t.close()
})
