import { expect, test } from '@playwright/test'
import { parseEther } from 'viem'
import {
  advanceChainTime,
  chain,
  channelInfo,
  erc20Balances,
  openLiveChannel,
  participantInfo,
  slashedEvents,
  tokens,
} from './support/settlement.ts'
import { converged, PRUNE_EVERY_CHECKPOINT, prunedAt } from './support/trader.ts'

test('issue 8: after two prunings an equivocation made before them is still slashable, and settlement pays exactly the balances every screen shows', async ({
  browser,
}) => {
  // quorum 2 of 3: the equivocator's later signatures do not count, the two others certify every checkpoint
  const { traders, settlers } = await openLiveChannel(browser, [1, 2, 3], 600, 2, {
    storage: PRUNE_EVERY_CHECKPOINT,
  })
  const [a, b, evil] = traders as [(typeof traders)[0], (typeof traders)[0], (typeof traders)[0]]
  const [sa, sb, se] = settlers as [(typeof settlers)[0], (typeof settlers)[0], (typeof settlers)[0]]
  const honest = [a, b]
  const channelId = await sa.channelId()
  const [weth, usdc] = tokens() as [ReturnType<typeof tokens>[0], ReturnType<typeof tokens>[0]]
  const before = await Promise.all(settlers.map((s) => erc20Balances(s.address)))
  const deposits = [
    [10n * 10n ** 18n, 0n],
    [0n, 50_000n * 10n ** 6n],
    [0n, 50_000n * 10n ** 6n],
  ]

  await se.bond('1')
  await a.deposit(weth.symbol, '10')
  await b.deposit(usdc.symbol, '50000')
  await evil.deposit(usdc.symbol, '50000')
  await converged(
    traders,
    (v) => v.holdings[0]![0] !== '0' && v.holdings[1]![1] !== '0' && v.holdings[2]![1] !== '0',
  )
  await a.place('Sell', '2000', '1')
  await evil.place('Buy', '2000', '1')
  await converged(traders, (v) => v.trades >= 1)

  // the fork, before any pruning
  const seq = await se.equivocate()
  await converged(honest, (v) => v.equivocators.includes(2))

  // two certified checkpoints, each pruned at by the honest participants, trades in between
  const v1 = await sa.requestCheckpoint(2)
  await prunedAt(honest, v1)
  await a.place('Sell', '2100', '0.5')
  await b.place('Buy', '2100', '0.5')
  await converged(honest, (v) => v.trades >= 2)
  const v2 = await sb.requestCheckpoint(2)
  await prunedAt(honest, v2)

  // B reloads from its pruned base: the evidence came back with it
  await b.page.reload()
  await b.waitLive()
  const reloaded = await b.view()
  expect(Number(reloaded.restoredFrom)).toBeGreaterThanOrEqual(v2)
  const views = await converged(honest, (v) => v.trades >= 2)
  for (const v of views) {
    expect(v.equivocators).toEqual([2])
    expect(v.docEntries).toBeLessThan(v.final)
  }
  await sb.page.getByRole('tab', { name: 'Peers' }).click()
  await expect(sb.page.getByText(`signed two blocks at seq ${seq}`).first()).toBeVisible()

  // the evidence kept through the prunings (and B's reload) is what the contract slashes on
  await sb.act('Slash bond', 'Slash')
  expect((await participantInfo(channelId, se.address)).slashed).toBe(true)
  const events = await slashedEvents(channelId)
  expect(events).toHaveLength(1)
  expect(events[0]!.args.amount).toBe(parseEther('1'))

  // settlement after pruning: the newest certified checkpoint, its state still held by the pruned replicas
  const proposed = await sa.propose(v2)
  for (const s of [sa, sb]) await expect(s.disputeStatus).toContainText(`disputing · checkpoint v${proposed}`)
  const cuts = await Promise.all([sa, sb].map((s) => s.tally(proposed)))
  expect(cuts[1]!.holdings).toEqual(cuts[0]!.holdings)
  // nothing trades after the proposal: the cut is what every honest screen shows
  const shown = await converged(honest)
  expect(shown[0]!.holdings).toEqual(cuts[0]!.holdings)
  const holdings = cuts[0]!.holdings.map((row) => row.map(BigInt))
  // the dispute window passes; the honest participants claim exactly the cut's holdings
  const info = await channelInfo(channelId)
  const latest = await chain().getBlock({ blockTag: 'latest' })
  await advanceChainTime(info.deadline - latest.timestamp + 1n)
  await expect(sb.disputeStatus).toContainText('finalizable')
  await sb.finalize()
  for (const s of [sa, sb]) await expect(s.disputeStatus).toContainText(`finalized · checkpoint v${proposed}`)
  await Promise.all([sa, sb].map((s) => s.claim()))
  for (const p of [0, 1]) {
    const after = await erc20Balances(settlers[p]!.address)
    expect(after).toEqual(after.map((_, k) => before[p]![k]! - deposits[p]![k]! + holdings[p]![k]!))
  }
  for (const t of traders) await t.close()
})
