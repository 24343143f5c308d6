import { expect, test } from '@playwright/test'
import { decodeInvite, encodeInvite } from '../src/core/invite.ts'
import { Trader } from './support/trader.ts'

test('an invite opened without a connected wallet shows its channel (participants, roles, fees) and connecting opens the lobby; a damaged link or an uninvited wallet is told what to do', async ({
  browser,
}) => {
  const a = await Trader.open(browser, 'A', 4)
  const b = await Trader.open(browser, 'B', 5)
  await a.connect()
  // the create form refuses a dispute window the settlement contract would refuse at open (after everyone signed)
  const form = a.page.getByRole('form', { name: 'Create channel' })
  await form.locator('input[name="window"]').fill('99999999999')
  await expect(form.getByTestId('number-errors')).toContainText('Dispute window: at most 31,536,000 s')
  await expect(form.getByRole('button', { name: 'Create invite' })).toBeDisabled()
  const link = await a.createChannel([b.address])
  // the invite survives a reload of its page (it was lost unless copied first)
  await a.page.reload()
  await expect(a.page.getByTestId('invite-link')).toHaveValue(link)
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
  // the lobby, where the session key is authorised, repeats what is agreed to: quorum, markets, fees
  await expect(b.page.getByTestId('lobby-terms')).toContainText(
    /Markets: \S+\/\S+.* · fees \d+ bps maker, \d+ bps taker, paid to participant 1/,
  )
  await expect(b.page.getByText('2 of 2 participants must take part')).toBeVisible()
  // and the invite itself, to pass on from the lobby
  await expect(b.page.getByTestId('lobby-invite-link')).toHaveValue(link)
  // the start page lists the channel: back to it without the link (the back button led to the create form)
  await b.page.goto(`${b.target.app}/#/`)
  const yours = b.page.getByRole('region', { name: 'Your channels' })
  await yours.getByRole('link', { name: /WETH\/USDC/ }).click()
  await expect(b.page.getByTestId('lobby-invite-link')).toHaveValue(link)

  // a link cut short says what to do and leads back to the start page
  await b.page.goto(`${b.target.app}/${link.slice(link.indexOf('#'), -20)}`)
  const problem = b.page.getByRole('region', { name: 'Invite problem' })
  await expect(problem).toContainText('damaged or cut short')
  await problem.getByRole('link', { name: 'Back to start' }).click()
  await expect(b.page.getByRole('form', { name: 'Create channel' })).toBeVisible()

  // a wallet that is not invited is told so, with the accounts that are
  const c = await Trader.open(browser, 'C', 6)
  // (but first, before any wallet is connected: an invite made for another chain says so at once, instead of
  // showing the invitation until a wallet connects)
  const code = link.slice(link.indexOf('#/join/') + '#/join/'.length)
  const other = decodeInvite(code)
  const otherChain = encodeInvite({ ...other, draft: { ...other.draft, chainId: 1n } })
  await c.page.goto(`${c.target.app}/#/join/${otherChain}`)
  await expect(c.page.getByRole('region', { name: 'Invite problem' })).toContainText(
    'this invite is for chain 1, the app is configured for',
  )
  await c.join(link)
  await expect(c.page.getByRole('alert')).toContainText(
    `The connected wallet (${c.address}) is not a participant`,
  )
  await expect(c.page.getByRole('table', { name: 'Invited participants' }).getByRole('row')).toHaveCount(2)
  await a.close()
  await b.close()
  await c.close()
})
