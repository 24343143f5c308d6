import { expect, test } from '@playwright/test'
import { chain, Settler } from './support/settlement.ts'
import { converged, liveChannel } from './support/trader.ts'

const WINDOW = 20

/** Mines one block on the test chain (anvil), as any chain does on its own. */
async function mine(): Promise<void> {
  await fetch(process.env.E2E_RPC_URL!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_mine', params: [] }),
  })
}

/** The seconds the Settlement panel says are left to challenge, NaN when it shows none. */
async function secondsLeft(s: Settler): Promise<number> {
  const text = (await s.disputeStatus.textContent()) ?? ''
  return Number(/(\d+) s left/.exec(text)?.[1] ?? Number.NaN)
}

test('the dispute countdown runs on the wall clock and Finalize appears at the deadline, though no block is mined meanwhile', async ({
  browser,
}) => {
  // the preview project's anvil mines only on transactions: the latest block's timestamp stands still
  const { traders } = await liveChannel(browser, [4, 5], undefined, WINDOW)
  const settlers = traders.map((t) => new Settler(t))
  const [sa, sb] = settlers as [Settler, Settler]
  const requested = await sa.requestCheckpoint(2)
  await converged(traders, (x) => x.checkpoints.includes(String(requested)))
  const v = await sa.propose(requested)
  const proposedIn = await chain().getBlockNumber()
  for (const s of settlers)
    await expect(s.disputeStatus).toContainText(new RegExp(`disputing · checkpoint v${v} · \\d+ s left`))
  const first = await secondsLeft(sb)
  expect(first).toBeLessThanOrEqual(WINDOW)
  // it counts down without any new block
  await expect.poll(() => secondsLeft(sb), { timeout: 10_000 }).toBeLessThanOrEqual(first - 3)
  // and once the deadline has passed by the clock, anyone may finalize
  for (const s of settlers)
    await expect(s.panel.getByRole('button', { name: 'Finalize' })).toBeVisible({
      timeout: (WINDOW + 10) * 1000,
    })
  expect(await chain().getBlockNumber()).toBe(proposedIn)
  // the contract judges by block time: finalizing waits for the chain's next block (npm start mines every second)
  await expect(sb.panel.getByRole('button', { name: 'Finalize' })).toBeDisabled()
  await mine()
  await expect(sb.panel.getByRole('button', { name: 'Finalize' })).toBeEnabled()
  await sb.finalize()
  for (const s of settlers) await expect(s.disputeStatus).toContainText('finalized')
  for (const t of traders) await t.close()
})
