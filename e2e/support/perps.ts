import { expect, type Locator, type Page } from '@playwright/test'
import type { Trader } from './trader.ts'
import { sentStatus } from './trader.ts'

/** The perp side of a page's replica (pending state): margins, insurance fund, market 1's oracle and sizes. */
export function perpView(page: Page) {
  return page.evaluate(() => {
    type Ps = {
      margin: bigint[]
      insurance: bigint
      oracle: (bigint | undefined)[]
      positions: ({ size: bigint } | undefined)[]
      M: number
      P: number
    }
    const r = (window as unknown as { __chx: { live: { replica: { state: { perps: Ps } } } } }).__chx
    const ps = r.live.replica.state.perps
    return {
      margin: ps.margin.map(String),
      insurance: String(ps.insurance),
      oracle: String(ps.oracle[1] ?? ''),
      sizes: Array.from({ length: ps.P }, (_, p) => String(ps.positions[p * ps.M + 1]?.size ?? 0n)),
    }
  })
}

/**
 * `a` fills the create form with a perp market (WETH-PERP in USDC, market 1): `a` is the oracle and the Liquidator,
 * max leverage 10×, 5 % maintenance margin, 1 % liquidation fee (the defaults), funding every
 * `fundingIntervalSec` of the channel clock (the form's default when omitted). `beforeCreate` runs on the filled
 * form before "Create invite". Returns the invite link.
 */
export async function createPerpChannel(
  a: Trader,
  others: string[],
  o: {
    disputeWindow?: number
    fundingIntervalSec?: number
    beforeCreate?: (form: Locator) => Promise<void>
  } = {},
): Promise<string> {
  const form = a.page.getByRole('form', { name: 'Create channel' })
  for (let i = 0; i < others.length; i++) {
    if (i > 0) await form.getByRole('button', { name: '+ Add participant' }).click()
    await form.locator(`input[name="participant-${i + 1}"]`).fill(others[i]!)
  }
  await form.getByLabel('Role').first().selectOption({ label: 'Liquidator' })
  await form.locator('input[name="window"]').fill(String(o.disputeWindow ?? 600))
  await form.locator('input[name="perp-enabled"]').check()
  await form.locator('select[name="perp-oracle"]').selectOption({ index: 0 })
  if (o.fundingIntervalSec !== undefined)
    await form.locator('input[name="perp-funding-interval"]').fill(String(o.fundingIntervalSec))
  if (o.beforeCreate) await o.beforeCreate(form)
  await expect(form.getByTestId('perp-errors')).toBeHidden()
  await form.getByRole('button', { name: 'Create invite' }).click()
  return a.page.getByTestId('invite-link').inputValue()
}

/** The page's Perpetuals screen, its order entry and its margin panel. */
export const perpsOf = (t: Trader) => t.page.getByRole('region', { name: 'Perpetuals' })
export const perpEntryOf = (t: Trader) => t.page.getByRole('form', { name: 'Perp trade' })

/** Moves `amount` (whole USDC, e.g. "250") from the ledger into the margin account and waits for the pending line. */
export async function depositMargin(t: Trader, amount: string) {
  const panel = t.page.getByRole('region', { name: 'Margin' })
  await panel.locator('input[name="margin-amount"]').fill(amount)
  await panel.getByRole('button', { name: 'Deposit margin' }).click()
  const shown = amount.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  await expect(panel.getByRole('status')).toHaveText(sentStatus(`Margin deposit of ${shown} USDC`))
}

/** The oracle posts an index price (whole USDC) from its Oracle panel. */
export async function postPrice(oracle: Trader, price: string) {
  const form = oracle.page.getByRole('form', { name: 'Oracle' })
  await form.locator('input[name="oracle-price"]').fill(price)
  await form.getByRole('button', { name: 'Post price' }).click()
  await expect(form.getByRole('status')).toHaveText(/ posted \((pending|final)\)$/)
}

/** Submits a perp limit order from the Perp trade form and waits for "… submitted (pending)" or "(final)". */
export async function perpOrder(t: Trader, side: 'Long' | 'Short', price: string, qty: string) {
  const entry = perpEntryOf(t)
  await entry.getByRole('button', { name: side, exact: true }).click()
  await entry.locator('input[name="perp-price"]').fill(price)
  await entry.locator('input[name="perp-qty"]').fill(qty)
  await entry.getByRole('button', { name: `${side} WETH-PERP` }).click()
  await expect(entry.getByRole('status')).toHaveText(sentStatus(`${side} ${qty} WETH-PERP submitted`))
}
