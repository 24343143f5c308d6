import { expect, test } from '@playwright/test'
import { startSignalingProcess, stopTracked } from './support/processes.ts'
import { converged, liveChannel } from './support/trader.ts'

async function signalingUp(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}`)).ok
  } catch {
    return false
  }
}

test('the signaling server stops mid-session: connected traders keep trading; after it returns, a returning participant catches up', async ({
  browser,
}) => {
  const { traders, link } = await liveChannel(browser, [1, 2, 3], undefined, 60, 2)
  const [a, b, c] = traders as [(typeof traders)[number], (typeof traders)[number], (typeof traders)[number]]
  const port = Number(process.env.E2E_SIGNALING_PORT)
  // C leaves (its page closes; its browser profile keeps its keys and storage)
  await c.page.close()
  // the signaling server goes down
  await stopTracked(Number(process.env.E2E_SIGNALING_PID))
  await expect.poll(() => signalingUp(port)).toBe(false)
  try {
    // A and B stay connected peer to peer and keep trading
    await a.place('Sell', '2000', '1')
    await b.place('Buy', '2000', '0.6')
    const ab = await converged([a, b], (v) => v.trades >= 1)
    // the server comes back on the same port (tracked: the global teardown stops it after the run)
    startSignalingProcess(port)
    await expect.poll(() => signalingUp(port)).toBe(true)
    // C opens the app again and catches up with what happened while it was away
    const page = await c.context.newPage()
    c.page = page
    await c.join(link)
    await c.waitLive()
    const views = await converged(traders, (v) => v.trades >= 1, 90_000)
    expect(views[2]!.trades).toBe(ab[0]!.trades)
  } finally {
    // whatever happened, the scenarios after this one find a signaling server on the port
    if (!(await signalingUp(port))) {
      startSignalingProcess(port)
      await expect.poll(() => signalingUp(port)).toBe(true)
    }
    for (const t of traders) await t.close()
  }
})
