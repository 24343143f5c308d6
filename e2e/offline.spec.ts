import { expect, test } from '@playwright/test'
import { converged, liveChannel } from './support/trader.ts'

test('a trader goes offline, the others keep trading and finalizing (quorum 2 of 3), it comes back and converges', async ({
  browser,
}) => {
  const { traders } = await liveChannel(browser, [1, 2, 3], undefined, 60, 2)
  const [a, b, c] = traders as [(typeof traders)[number], (typeof traders)[number], (typeof traders)[number]]
  const before = await a.view()
  // C drops off the network: browser offline and its WebRTC transport disconnected
  await c.context.setOffline(true)
  await c.page.evaluate(() =>
    (
      window as unknown as { __chx: { room: { provider: { disconnect(): void } } } }
    ).__chx.room.provider.disconnect(),
  )
  await a.place('Sell', '2000', '2')
  await b.place('Buy', '2000', '1')
  // C trades while offline: applied locally at once, pending
  await c.place('Buy', '1990', '1')
  const [va, vb] = await converged([a, b], (v) => v.trades >= 1)
  const vc = await c.view()
  expect(vc.stateRoot).not.toBe(va!.stateRoot)
  expect(vc.trades).toBe(0)
  // with quorum 2 of 3, A and B keep finalizing without C
  await expect.poll(async () => (await a.view()).final).toBeGreaterThan(before.final + 2)
  expect(vb!.stateRoot).toBe(va!.stateRoot)
  // back online: C catches up and its own offline order reaches the others
  await c.context.setOffline(false)
  await c.page.evaluate(() =>
    (
      window as unknown as { __chx: { room: { provider: { connect(): void } } } }
    ).__chx.room.provider.connect(),
  )
  const views = await converged(
    traders,
    (v) => v.trades >= 1 && v.book[0]!.some((o) => o.startsWith('0:1990')),
  )
  expect(views[2]!.trades).toBe(views[0]!.trades)
  for (const t of traders) await t.close()
})
