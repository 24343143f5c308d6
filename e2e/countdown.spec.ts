import { expect, test } from '@playwright/test'
import { mine, Settler } from './support/settlement.ts'
import { converged, liveChannel } from './support/trader.ts'

const WINDOW = 20

/** The seconds the Settlement panel says are left to challenge, NaN when it shows none. */
async function secondsLeft(s: Settler): Promise<number> {
  const text = (await s.disputeStatus.textContent()) ?? ''
  return Number(/(\d+) s left/.exec(text)?.[1] ?? Number.NaN)
}

test('the dispute countdown runs on the wall clock between blocks and Finalize appears at the deadline', async ({
  browser,
}) => {
  // the preview project's anvil mines a block a second besides one per transaction (e2e/support/globalSetup.ts: a
  // replica signs checkpoints only with a recent read of the forced queue), as a live chain does
  const { traders } = await liveChannel(browser, [4, 5], undefined, WINDOW)
  const settlers = traders.map((t) => new Settler(t))
  const [sa, sb] = settlers as [Settler, Settler]
  const requested = await sa.requestCheckpoint(2)
  await converged(traders, (x) => BigInt(x.latestCheckpoint) >= BigInt(requested))
  const v = await sa.propose(requested)
  for (const s of settlers)
    await expect(s.disputeStatus).toContainText(new RegExp(`disputing · checkpoint v${v} · \\d+ s left`))
  const first = await secondsLeft(sb)
  expect(first).toBeLessThanOrEqual(WINDOW)
  // it counts down second by second (the panel ticks on the wall clock; chain reads come once per block)
  await expect.poll(() => secondsLeft(sb), { timeout: 10_000 }).toBeLessThanOrEqual(first - 3)
  // and once the deadline has passed, anyone may finalize (the contract judges by the next block's time)
  for (const s of settlers)
    await expect(s.panel.getByRole('button', { name: 'Finalize' })).toBeVisible({
      timeout: (WINDOW + 10) * 1000,
    })
  await mine()
  for (const s of settlers) await expect(s.panel.getByRole('button', { name: 'Finalize' })).toBeEnabled()
  // both finalize at once: one transaction finalizes, the other's sender is told another came first (it read
  // "Finalize: UnknownRevert()" when both landed in one block, or the raw revert when ours was simulated after)
  await Promise.all(settlers.map((s) => s.panel.getByRole('button', { name: 'Finalize' }).click()))
  const outcome = /^Finalize: (done|already finalized \(another participant’s transaction came first\))$/
  for (const s of settlers) await expect(s.status).toHaveText(outcome, { timeout: 60_000 })
  const outcomes = await Promise.all(settlers.map((s) => s.status.textContent()))
  expect(outcomes.sort()).toEqual([
    'Finalize: already finalized (another participant’s transaction came first)',
    'Finalize: done',
  ])
  for (const s of settlers) await expect(s.disputeStatus).toContainText('finalized')
  for (const t of traders) await t.close()
})
