import { expect, test } from '@playwright/test'
import { mine, Settler } from './support/settlement.ts'
import { converged, liveChannel, Trader } from './support/trader.ts'

test('one participant in two tabs of one context: same state, one writer at a time, never an equivocation', async ({
  browser,
}) => {
  const { traders, link } = await liveChannel(browser, [1, 2])
  const [a, b] = traders as [Trader, Trader]
  // a second tab of A's browser
  const second = new Trader('A2', a.context, await a.context.newPage(), a.address)
  await second.join(link)
  await second.waitLive()
  await expect(second.page.getByTestId('read-only')).toBeVisible()
  await expect(a.page.getByTestId('read-only')).toBeHidden()
  // A trades in its writing tab; the second tab shows the same state
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '0.5')
  await converged([a, b, second], (v) => v.trades >= 1)
  // the writer tab closes: the second tab takes over as writer after a reload and keeps A's seq going
  await a.page.close()
  await expect(second.page.getByTestId('read-only')).toBeHidden({ timeout: 60_000 })
  await second.waitLive()
  await second.place('Sell', '2005', '0.3')
  const views = await converged([second, b], (v) => v.book[0]!.some((o) => o.startsWith('1:2005')))
  expect(views.every((v) => v.equivocators.length === 0)).toBe(true)
  await second.page.screenshot({ path: 'docs/screenshots/two-tabs.png' })
  await b.close()
  await a.context.close()
})

test('the same wallet in another browser (a new device): the channel read-only with its state, not a dead end', async ({
  browser,
}) => {
  const window = 8
  const { traders, link } = await liveChannel(browser, [1, 2], undefined, window)
  const [a, b] = traders as [Trader, Trader]
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '0.5')
  await converged([a, b], (v) => v.trades >= 1)
  // A's wallet in a fresh browser: it makes its own session key, not the one A authorised (the lobby used to stop
  // there: "the lobby holds another session key for this wallet")
  const device = await Trader.open(browser, 'A′', 1)
  await device.join(link)
  await device.waitLive()
  await expect(device.page.getByTestId('read-only')).toContainText(
    'This wallet authorised its channel session key in another browser',
  )
  await expect(
    device.page.getByText('Order entry is in the browser that holds the session key'),
  ).toBeVisible()
  // it follows the channel: the same state as the others, and what A does next
  await a.place('Sell', '2010', '0.2')
  const views = await converged([a, b, device], (v) => v.book[0]!.some((o) => o.startsWith('1:2010')))
  expect(views[2]!.stateRoot).toBe(views[0]!.stateRoot)
  expect(
    await device.page.evaluate(
      () => (window as unknown as { __chx: { view(): { otherDevice: boolean } } }).__chx.view().otherDevice,
    ),
  ).toBe(true)
  // and once the channel settles, A's wallet claims from there: the others finalize, the new device pays A out
  const [sa, sb, sd] = [a, b, device].map((t) => new Settler(t)) as [Settler, Settler, Settler]
  const requested = await sa.requestCheckpoint(2)
  await converged([a, b, device], (x) => BigInt(x.latestCheckpoint) >= BigInt(requested))
  await sa.propose(requested)
  await expect(sb.panel.getByRole('button', { name: 'Finalize' })).toBeVisible({
    timeout: (window + 10) * 1000,
  })
  await mine()
  await sb.finalize()
  await expect(sd.disputeStatus).toContainText('finalized')
  await sd.claim()
  await expect(sa.panel).toContainText('Settled: everything the channel owed you is paid out.', {
    timeout: 30_000,
  })
  // A's signing browser closes: the others see A offline, though its wallet still follows from the new device (whose
  // presence says it only follows)
  await a.close()
  await b.page.getByRole('tab', { name: 'Peers' }).click()
  await expect(b.page.getByRole('table', { name: 'Participants' })).toContainText(/offline since \d/, {
    timeout: 15_000,
  })
  for (const t of [b, device]) await t.close()
})
