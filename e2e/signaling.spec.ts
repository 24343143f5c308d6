import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { converged, liveChannel } from './support/trader.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

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
  const { traders, link } = await liveChannel(browser, [1, 2, 3])
  const [a, b, c] = traders as [(typeof traders)[number], (typeof traders)[number], (typeof traders)[number]]
  const port = Number(process.env.E2E_SIGNALING_PORT)
  // C leaves (its page closes; its browser profile keeps its keys and storage)
  await c.page.close()
  // the signaling server goes down
  process.kill(Number(process.env.E2E_SIGNALING_PID), 'SIGTERM')
  await expect.poll(() => signalingUp(port)).toBe(false)
  // A and B stay connected peer to peer and keep trading
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '0.6')
  const ab = await converged([a, b], (v) => v.trades >= 1)
  // the server comes back on the same port
  const restarted: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', `${root}scripts/signaling.ts`, '--port', String(port)],
    { cwd: root, stdio: 'ignore' },
  )
  process.env.E2E_SIGNALING_PID = String(restarted.pid)
  await expect.poll(() => signalingUp(port)).toBe(true)
  try {
    // C opens the app again and catches up with what happened while it was away
    const page = await c.context.newPage()
    c.page = page
    await c.join(link)
    await c.waitLive()
    const views = await converged(traders, (v) => v.trades >= 1, 90_000)
    expect(views[2]!.trades).toBe(ab[0]!.trades)
  } finally {
    for (const t of traders) await t.close()
  }
})
