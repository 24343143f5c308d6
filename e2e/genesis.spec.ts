import { expect, test } from '@playwright/test'
import { decodeInvite, encodeInvite } from '../src/core/invite.ts'
import { converged, Trader } from './support/trader.ts'

/**
 * A Byzantine inviter (src/core/genesis.ts): C gets an invite whose maker fee differs from A's and B's. The channel
 * id does not cover fees, so the lobby, the authorisations and the contract all agree; before the genesis every
 * block validated everywhere and C folded the same trades into another state. Now C's first block names another
 * genesis: A and B (q = 2 of 3) go on without it, C refuses theirs, and every context says why.
 */
test('an invite with another fee: nobody builds on the other terms, and every context says why', async ({
  browser,
}) => {
  const [a, b, c] = (await Promise.all([
    Trader.open(browser, 'A', 1),
    Trader.open(browser, 'B', 2),
    Trader.open(browser, 'C', 3),
  ])) as [Trader, Trader, Trader]
  await a.connect()
  const link = await a.createChannel([b.address, c.address], 60, 2)
  const at = link.indexOf('#/join/') + '#/join/'.length
  const invite = decodeInvite(link.slice(at))
  const params = { ...invite.draft.params, makerFeeBps: invite.draft.params.makerFeeBps + 10n }
  const tampered = `${link.slice(0, at)}${encodeInvite({ ...invite, draft: { ...invite.draft, params } })}`
  await Promise.all([a.join(link), b.join(link), c.join(tampered)])
  for (const t of [a, b, c]) await t.authorise()
  await a.openOnChain()
  await Promise.all([a, b, c].map((t) => t.waitLive()))

  // both sides write: A's deposit and C's (a participant that never writes is never seen to be on other terms)
  await Promise.all([a.deposit('WETH', '1'), c.deposit('USDC', '100')])
  // A and B finalize the deposit between them; C holds none of their blocks and finalizes nothing
  const va = (await converged([a, b], (v) => v.holdings[0]![0] !== '0'))[0]!
  for (const t of [a, b, c])
    await expect(t.page.getByTestId('genesis-mismatch')).toContainText('different terms', { timeout: 30_000 })
  const vc = await c.view()
  expect(vc.final).toBe(0)
  expect(vc.holdings[0]![0]).toBe('0')
  expect(va.stateRoot).not.toBe(vc.stateRoot)
  await c.page.screenshot({ path: 'docs/screenshots/genesis-mismatch.png' })
  for (const t of [a, b, c]) await t.close()
})
