import { expect, type Page } from '@playwright/test'
import type { Trader } from './trader.ts'

type Outcome = { ok: boolean; reason?: string }

/**
 * Submits an op through the page's runtime (what every form calls), bypassing the forms' own checks; the fields
 * named in `big` become bigints in the page.
 */
export const submitThroughRuntime = (page: Page, op: Record<string, number>, big: string[]) =>
  page.evaluate(
    ({ op, big }) => {
      const o: Record<string, number | bigint> = { ...op }
      for (const k of big) o[k] = BigInt(op[k]!)
      return (window as unknown as { __chx: { submit(op: unknown): Outcome } }).__chx.submit(o) as Outcome
    },
    { op, big },
  )
/** A transfer of `amount` base units of `token` to participant `to` (default: 1 unit of token 1 to participant 0). */
export const submitTransfer = (page: Page, to = 0, token = 1, amount = 1) =>
  submitThroughRuntime(page, { tag: 0x03, to, token, amount }, ['amount'])
/** A limit buy of 1 lot at tick 1 in market 0. */
export const submitOrder = (page: Page) =>
  submitThroughRuntime(page, { tag: 0x10, market: 0, side: 0, kind: 0, tif: 0, price: 1, qty: 1 }, [
    'price',
    'qty',
  ])

/**
 * Entry controls of a page once settlement started or ended: order entry filled with a valid buy, funds with a
 * valid amount, the force form with a valid transfer; all must be closed with `reason`, and the runtime refuses
 * orders and transfers whatever sends them.
 */
export async function expectClosed(t: Trader, reason: RegExp) {
  const entry = t.page.getByRole('form', { name: 'Order entry' })
  await entry.getByRole('button', { name: 'Buy', exact: true }).click()
  await entry.locator('input[name="price"]').fill('1900')
  await entry.locator('input[name="qty"]').fill('0.1')
  await expect(entry.getByTestId('entry-closed')).toContainText(reason)
  await expect(entry.getByRole('button', { name: 'Buy WETH' })).toBeDisabled()
  const funds = t.page.getByRole('region', { name: 'Funds' })
  await funds.locator('input[name="fund-amount"]').fill('1')
  await expect(funds.getByTestId('funds-closed')).toContainText(reason)
  await expect(funds.getByRole('button', { name: 'Deposit on chain' })).toBeDisabled()
  await expect(funds.getByRole('button', { name: 'Transfer in channel' })).toBeDisabled()
  const force = t.page.getByRole('region', { name: 'Force on chain' })
  await force.locator('input[name="force-amount"]').fill('1')
  await expect(force.getByTestId('force-closed')).toContainText('no longer open on chain')
  await expect(force.getByRole('button', { name: 'Force on chain' })).toBeDisabled()
  // and the core refuses them whatever sends them, before anything enters a batch
  for (const outcome of [await submitOrder(t.page), await submitTransfer(t.page)]) {
    expect(outcome.ok).toBe(false)
    expect(outcome.reason).toMatch(reason)
  }
}
