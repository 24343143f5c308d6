import { expect, test } from '@playwright/test'
import {
  advanceChainTime,
  chain,
  channelInfo,
  erc20Balances,
  openLiveChannel,
  tokens,
} from './support/settlement.ts'
import { converged } from './support/trader.ts'

test('scenario 6: after a checkpoint every participant signed, the others go offline and one exits alone: nothing is paid before the dispute ends, then exactly its holdings', async ({
  browser,
}) => {
  const { traders, settlers } = await openLiveChannel(browser, [1, 2, 3], 600)
  const [a, b, c] = traders as [(typeof traders)[0], (typeof traders)[0], (typeof traders)[0]]
  const [sa] = settlers as [(typeof settlers)[0]]
  const channelId = await sa.channelId()
  const [weth, usdc] = tokens() as [ReturnType<typeof tokens>[0], ReturnType<typeof tokens>[0]]
  const before = await erc20Balances(sa.address)

  await a.deposit(weth.symbol, '10')
  await b.deposit(usdc.symbol, '50000')
  await c.deposit(usdc.symbol, '50000')
  await converged(
    traders,
    (v) => v.holdings[0]![0] !== '0' && v.holdings[1]![1] !== '0' && v.holdings[2]![1] !== '0',
  )
  // A ends up with both tokens, and an order still resting (locked funds are holdings too)
  await a.place('Sell', '2000', '1.5')
  await b.place('Buy', '2000', '1')
  await converged(traders, (v) => v.trades >= 1)

  // A asks for a checkpoint; every participant signs it on its own: it carries all three signatures
  const v = await sa.requestCheckpoint(3)
  for (const s of settlers) await s.expectSignatures(v, 3)
  await expect(sa.panel.getByTestId('checkpoints')).toContainText(`v${v} (3/3)`)
  const cut = (await sa.tally(v))!

  // everyone but A disappears
  await b.close()
  await c.close()
  await sa.emergencyExit(v)

  const holdings = cut.holdings[0]!.map(BigInt)
  expect(holdings[0]).toBe(9n * 10n ** 18n)
  expect(holdings[1]).toBeGreaterThan(0n)
  // the exit is a proposal of the checkpoint: it pays nothing before the dispute ends (issue #12, stale exits)
  const info = await channelInfo(channelId)
  expect(info.checkpoint.version).toBe(BigInt(v))
  expect(info.checkpoint.balancesRoot).toBe(cut.balancesRoot)
  await expect(sa.disputeStatus).toContainText(`disputing · checkpoint v${v}`)
  const during = await erc20Balances(sa.address)
  expect(during[0]).toBe(before[0]! - 10n * 10n ** 18n)
  expect(during[1]).toBe(before[1]!)

  // nobody answers; the window passes on the chain's clock, A finalizes alone and is paid exactly its leaf
  const latest = await chain().getBlock({ blockTag: 'latest' })
  await advanceChainTime(info.deadline - latest.timestamp + 1n)
  await expect(sa.disputeStatus).toContainText('finalizable')
  await sa.finalize()
  await expect(sa.disputeStatus).toContainText(`finalized · checkpoint v${v}`)
  await sa.claim()
  const after = await erc20Balances(sa.address)
  expect(after[0]).toBe(before[0]! - 10n * 10n ** 18n + holdings[0]!)
  expect(after[1]).toBe(before[1]! + holdings[1]!)
  await a.close()
})
