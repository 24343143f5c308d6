import { expect, test } from '@playwright/test'
import { converged, liveChannel } from './support/trader.ts'

test('a trader reloads: its state and its own pending blocks come back from IndexedDB', async ({
  browser,
}) => {
  const { traders } = await liveChannel(browser, [1, 2, 3])
  const [a, b, c] = traders as [(typeof traders)[number], (typeof traders)[number], (typeof traders)[number]]
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '0.4')
  const before = await converged(traders, (v) => v.trades >= 1)
  // A goes offline, places an order only it knows about (sealed, persisted, not yet seen by anyone), reloads
  await a.page.evaluate(() =>
    (
      window as unknown as { __chx: { room: { provider: { disconnect(): void } } } }
    ).__chx.room.provider.disconnect(),
  )
  await a.context.setOffline(true)
  await a.place('Sell', '2010', '0.5')
  // sealed and durably stored (persisted before it would be published)
  await expect
    .poll(async () => {
      const v = await a.view()
      return v.pendingOps + v.inFlight
    })
    .toBe(0)
  const ownBlocks = (await a.view()).blocks
  await a.context.setOffline(false)
  await a.page.reload()
  await a.waitLive()
  // right after the reload, before any peer could resend anything, A has its state back, including the new order
  const after = await a.view()
  expect(after.blocks).toBeGreaterThanOrEqual(ownBlocks)
  expect(after.book[0]!.some((o) => o.startsWith('1:2010'))).toBe(true)
  expect(after.trades).toBe(before[0]!.trades)
  // and the block only A had reaches the others
  await converged(traders, (v) => v.book[0]!.some((o) => o.startsWith('1:2010')))
  await c.close()
  await b.close()
  await a.close()
})
