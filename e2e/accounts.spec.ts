import { expect, test } from '@playwright/test'
import { env } from './support/trader.ts'
import { DEV_ACCOUNTS } from './support/wallet.ts'

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`

test('accounts: without a browser wallet the generic button says how to get one; the dev wallet offers every funded anvil account, remembered per tab, and a reload stays connected', async ({
  browser,
}) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(`${env().app}/#/`)

  // one generic button (no wallet announced itself), no duplicate "Injected"
  await expect(page.getByRole('button', { name: /^Connect / })).toHaveCount(2)
  await page.getByRole('button', { name: 'Connect browser wallet' }).click()
  await expect(page.getByRole('alert')).toContainText('No browser wallet found. Install one such as MetaMask')

  // the dev wallet: every funded account, pick #3, connect as it
  const picker = page.getByLabel('Dev account')
  await expect(picker.locator('option')).toHaveCount(DEV_ACCOUNTS.length)
  await picker.selectOption({ index: 3 })
  await page.getByRole('button', { name: 'Connect Local dev wallet' }).click()
  await expect(page.getByTestId('account')).toHaveText(short(DEV_ACCOUNTS[3]!))

  // switch to #5 while connected
  await page.getByLabel('Dev account').selectOption({ index: 5 })
  await expect(page.getByTestId('account')).toHaveText(short(DEV_ACCOUNTS[5]!))

  // a reload keeps this tab connected as its choice, as a wallet extension remembers a site (a trader who reloads
  // mid-session stays in the channel instead of landing on the invite page)
  await page.reload()
  await expect(page.getByTestId('account')).toHaveText(short(DEV_ACCOUNTS[5]!))
  await expect(page.getByLabel('Dev account')).toHaveValue(DEV_ACCOUNTS[5]!)
  await expect(page.getByRole('button', { name: 'Connect Local dev wallet' })).toBeHidden()
  // disconnecting is remembered too: the next reload waits for a click
  await page.getByRole('button', { name: 'Disconnect' }).click()
  await page.reload()
  await expect(page.getByRole('button', { name: 'Connect Local dev wallet' })).toBeVisible()
  await page.getByRole('button', { name: 'Connect Local dev wallet' }).click()
  await expect(page.getByTestId('account')).toHaveText(short(DEV_ACCOUNTS[5]!))

  // another tab starts from the first account
  const other = await context.newPage()
  await other.goto(`${env().app}/#/`)
  await expect(other.getByLabel('Dev account')).toHaveValue(DEV_ACCOUNTS[0]!)
  expect(errors).toEqual([])
  await context.close()
})
