import { expect, test } from '@playwright/test'
import { Trader } from './support/trader.ts'

test('an invite opened without a connected wallet shows its channel (participants, roles, fees) and connecting opens the lobby', async ({
  browser,
}) => {
  const a = await Trader.open(browser, 'A', 4)
  const b = await Trader.open(browser, 'B', 5)
  await a.connect()
  const link = await a.createChannel([b.address])
  // B follows the link before connecting anything
  await b.page.goto(`${b.target.app}/${link.slice(link.indexOf('#'))}`)
  const invitation = b.page.getByRole('region', { name: 'Invitation' })
  await expect(invitation).toContainText('You are invited to a channel')
  const rows = invitation.getByRole('table', { name: 'Invited participants' }).getByRole('row')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(1)).toContainText(b.address)
  await expect(rows.nth(1)).toContainText('Trader: may trade')
  await expect(b.page.getByTestId('invite-terms')).toContainText(
    /fees \d+ bps maker, \d+ bps taker, paid to participant 1/,
  )
  // the link stays: connecting the invited wallet goes straight to the channel's lobby
  await b.page.getByRole('button', { name: 'Connect Test Wallet' }).click()
  await expect(b.page.getByRole('table', { name: 'Participants' })).toBeVisible()
  expect(b.page.url()).toContain('#/join/')
  await a.close()
  await b.close()
})
