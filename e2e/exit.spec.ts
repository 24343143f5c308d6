import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { Address } from 'viem'
import { exitWith } from './support/attacker.ts'
import {
  advanceChainTime,
  chain,
  channelInfo,
  erc20Balances,
  finalizeAndClaimAll,
  openLiveChannel,
  tokens,
} from './support/settlement.ts'
import { converged, Trader } from './support/trader.ts'

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

test('issue 12: a stale exit — the cheater exits with an older fully signed checkpoint; with one honest participant offline, the other with the app open challenges, and every claim pays exactly the final holdings', async ({
  browser,
}) => {
  // A (the cheater) and B (who will be offline) keep browser profiles on disk, so they can come back later
  const profiles = [mkdtempSync(join(tmpdir(), 'chx-a-')), mkdtempSync(join(tmpdir(), 'chx-b-'))]
  const { traders, settlers } = await openLiveChannel(browser, [7, 8, 9], 600, undefined, { profiles })
  const [a, b, c] = traders as [Trader, Trader, Trader]
  const [sa, , sc] = settlers as [(typeof settlers)[0], (typeof settlers)[0], (typeof settlers)[0]]
  const channelId = await sa.channelId()
  const [weth, usdc] = tokens() as [ReturnType<typeof tokens>[0], ReturnType<typeof tokens>[0]]
  const before = await Promise.all(settlers.map((s) => erc20Balances(s.address)))
  const deposits = [
    [10n * 10n ** 18n, 0n],
    [0n, 50_000n * 10n ** 6n],
    [0n, 50_000n * 10n ** 6n],
  ]
  await a.deposit(weth.symbol, '10')
  await b.deposit(usdc.symbol, '50000')
  await c.deposit(usdc.symbol, '50000')
  await converged(
    traders,
    (v) => v.holdings[0]![0] !== '0' && v.holdings[1]![1] !== '0' && v.holdings[2]![1] !== '0',
  )

  // v1: A sold 1 WETH; every participant signed it
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '1')
  await converged(traders, (v) => v.trades >= 1)
  const v1 = await sa.requestCheckpoint(3)
  for (const s of settlers) await s.expectSignatures(v1, 3)
  const stale = await sa.signedCheckpoint(v1)
  expect(stale.signatures).toHaveLength(3)
  // A sells 2 more WETH to C: its WETH falls from 9 to 7; v2, signed by all three, says so
  await a.place('Sell', '2100', '2')
  await c.place('Buy', '2100', '2')
  await converged(traders, (v) => v.trades >= 2)
  const v2 = await sc.requestCheckpoint(3)
  for (const s of settlers) await s.expectSignatures(v2, 3)
  const final = (await sc.tally(v2))!.holdings.map((row) => row.map(BigInt))
  expect(BigInt(stale.holdings[0]![0]!)).toBe(9n * 10n ** 18n)
  expect(final[0]![0]).toBe(7n * 10n ** 18n)

  // B goes offline (its browser closed); A closes its app too, then exits from its own script with v1's 9 WETH
  await b.close()
  await a.close()
  await exitWith(a.address as Address, stale, 0)
  const exited = await channelInfo(channelId)
  expect(exited.checkpoint.version).toBe(BigInt(v1))
  // nothing is paid while the dispute runs
  expect((await erc20Balances(a.address as Address))[0]).toBe(before[0]![0]! - deposits[0]![0]!)

  // C's open app is a watchtower: it replaces the stale checkpoint with v2 on its own, well before the deadline
  await expect(sc.watchtower).toContainText(`challenged v${v1} with v${v2} automatically`)
  const answered = await channelInfo(channelId)
  expect(answered.checkpoint.version).toBe(BigInt(v2))
  const latest = await chain().getBlock({ blockTag: 'latest' })
  expect(answered.deadline).toBeGreaterThan(latest.timestamp)

  // A and B come back (same browser profiles); the window passes; everyone claims: B and C exactly their v2
  // holdings, A only its v2 leaf (7 WETH, not the 9 it exited with); the contract keeps nothing
  const [a2, b2] = await Promise.all([
    Trader.openProfile(browser, 'A', 7, profiles[0]!),
    Trader.openProfile(browser, 'B', 8, profiles[1]!),
  ])
  const link = await c.page.url()
  await Promise.all([a2.join(link), b2.join(link)])
  await Promise.all([a2.waitLive(), b2.waitLive()])
  await finalizeAndClaimAll({
    traders: [a2, b2, c],
    finalizer: sc,
    channelId,
    version: v2,
    before,
    deposits,
    holdings: final,
  })
  expect(final[1]![0]).toBe(10n ** 18n)
  expect(final[2]![0]).toBe(2n * 10n ** 18n)
  for (const t of [a2, b2, c]) await t.close()
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true })
})
