import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { depositFromAccounts, mixedChannel } from './support/mixed.ts'
import { spawnTracked } from './support/processes.ts'
import { settlementAddress, tokens } from './support/settlement.ts'
import { converged } from './support/trader.ts'

/**
 * Issue #8: browsers and headless agents in one channel. Three browser contexts (WebRTC and the relay) and three
 * `npm run agent` processes (the relay only): a market maker and two traders trade, the browsers place orders in the
 * app, the agents stop on SIGINT and drain, and all six end with the same state root, every op final.
 */
test('three browsers and three agents trade in one channel and converge', async ({ browser }) => {
  test.setTimeout(150_000)
  const relayUrl = `ws://127.0.0.1:${process.env.E2E_RELAY_PORT}`
  const roles = ['market-maker', 'trader', 'trader']
  const { traders, agents, channelId } = await mixedChannel({
    browser,
    browserAccounts: [1, 2, 3],
    agentAccounts: [4, 5, 6],
    // price in ticks of 0.01 USDC: 200,000 = 2,000 USDC per WETH
    agentArgs: (i) => [
      '--role',
      roles[i]!,
      '--rate',
      '5',
      '--seed',
      String(i + 1),
      '--price',
      '200000',
      '--json',
    ],
    relayUrl,
    dataDir: join(process.env.E2E_RUN_DIR!, 'agents'),
    spawn: (command, args, options) => spawnTracked(command, args, options, 'agent'),
  })
  const detail = () => agents.map((a, i) => `agent ${i}: ${a.lines.slice(-3).join('\n  ')}`).join('\n')
  const all = [1, 2, 3, 4, 5, 6]
  const [weth, usdc] = tokens()
  await depositFromAccounts({
    accounts: all,
    channelId,
    settlement: settlementAddress(),
    tokens: [weth!.address, usdc!.address],
    amounts: [10n ** 19n, 50_000n * 10n ** 6n],
  })
  // credited everywhere (not `converged`: the agents trade meanwhile, so the tabs are never quiet all at once)
  await expect
    .poll(
      async () =>
        (await Promise.all(traders.map((t) => t.view()))).every(
          (v) => v.holdings.length === 6 && v.holdings.every((h) => h.some((x) => x !== '0')),
        ),
      { timeout: 60_000 },
    )
    .toBe(true)

  // the browsers trade in the app while the agents run: an ask and a bid each side of the market maker's quotes
  await traders[0]!.place('Sell', '2010', '0.002')
  await traders[1]!.place('Buy', '1990', '0.002')
  await traders[2]!.place('Buy', '2010', '0.001')
  await expect
    .poll(() => agents.every((a) => a.trades() >= 3), { timeout: 60_000, message: detail() })
    .toBe(true)

  for (const a of agents) a.child.kill('SIGINT')
  const codes = await Promise.all(agents.map((a) => a.exited))
  expect(codes, detail()).toEqual([0, 0, 0])
  const summaries = agents.map((a) => a.summary()!)
  for (const s of summaries) {
    expect(s.allFinal, detail()).toBe(true)
    expect(s.opsSubmitted).toBeGreaterThan(0)
    expect(s.relayStrikes).toBe(0)
  }
  const root = summaries[0]!.stateRoot
  expect(new Set(summaries.map((s) => s.stateRoot))).toEqual(new Set([root]))
  // the browsers: the same root, nothing pending, every block with ops final
  const views = await converged(traders, (v) => v.stateRoot === root)
  expect(views[0]!.trades).toBeGreaterThanOrEqual(3)
  for (const t of traders)
    expect(
      await t.page.evaluate(() => {
        type Rep = { finalCount: number; order: { block: { ops: unknown[] } }[] }
        const r = (window as unknown as { __chx: { live: { replica: Rep } } }).__chx.live.replica
        return r.order.slice(r.finalCount).filter((n) => n.block.ops.length > 0).length
      }),
    ).toBe(0)
  for (const t of traders) await t.close()
})
