import { expect, test } from '@playwright/test'
import { formatUnits } from 'viem'
import {
  advanceChainTime,
  chain,
  channelHoldings,
  channelInfo,
  erc20Balances,
  openLiveChannel,
  tokens,
} from './support/settlement.ts'
import { converged } from './support/trader.ts'

const WINDOW = 600

test('scenario 5: checkpoint signed by a threshold, proposed, challenged with a newer one, finalized; every claim pays the finalized holdings', async ({
  browser,
}) => {
  const { traders, settlers } = await openLiveChannel(browser, [1, 2, 3], WINDOW, 2)
  const [a, b, c] = traders as [(typeof traders)[0], (typeof traders)[0], (typeof traders)[0]]
  const [sa, sb, sc] = settlers as [(typeof settlers)[0], (typeof settlers)[0], (typeof settlers)[0]]
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
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '1')
  await converged(traders, (v) => v.trades >= 1)

  // A asks for a checkpoint; every replica computes the same one at the next commit and signs it on its own
  const n1 = await sa.requestCheckpoint(3)
  await converged(traders, (v) => BigInt(v.latestCheckpoint) >= BigInt(n1))
  const v1 = (await sa.tally(n1))!
  expect(v1.signatures).toBeGreaterThanOrEqual(3)
  // B drops off the peer network, WebRTC and relay (its wallet still reaches the chain): it knows nothing newer than v1
  await b.page.evaluate(() => {
    const room = (
      window as unknown as {
        __chx: { room: { provider: { disconnect(): void }; relays: { disconnect(): void }[] } }
      }
    ).__chx.room
    room.provider.disconnect()
    for (const r of room.relays) r.disconnect()
  })
  // A and C trade on and take a newer checkpoint (the channel's quorum is 2 of 3)
  await a.place('Sell', '2100', '2')
  await c.place('Buy', '2100', '2')
  await converged([a, c], (v) => v.trades >= 2)
  const n2 = await sc.requestCheckpoint(2)
  await converged([a, c], (v) => BigInt(v.latestCheckpoint) >= BigInt(n2))
  // B proposes the newest checkpoint it holds, stale (from now on the channel takes no orders: issue 11 item 3): v1,
  // or an automatic checkpoint B's replica computed just after it, before it dropped off — never one with the trade
  // above. Nobody clicks Challenge: the open apps are watchtowers, and A's (first in the stagger) challenges with v2
  // on its own, once
  const stale = await sb.propose(n1)
  expect(stale).toBeLessThan(n2)
  await expect(sa.watchtower).toContainText(`challenged v${stale} with v${n2} automatically`)
  const towerTx = (await sa.watchtower.getByTestId('tx-hash').getAttribute('data-hash')) as `0x${string}`
  expect((await chain().getTransactionReceipt({ hash: towerTx })).status).toBe('success')
  // B comes back and catches up
  await b.page.reload()
  await b.waitLive()
  for (const s of settlers) await expect(s.disputeStatus).toContainText(`disputing · checkpoint v${n2}`)
  // C's tower, later in the stagger, found the chain already answered and sent nothing
  await expect(sc.watchtower).toContainText('the chain holds our newest certified checkpoint')
  await expect(sc.watchtower.getByTestId('tx-hash')).toHaveCount(0)
  await sa.panel.screenshot({ path: 'docs/screenshots/settlement.png' })

  // the dispute window passes on the chain's clock; anyone may finalize
  const info = await channelInfo(channelId)
  const latest = await chain().getBlock({ blockTag: 'latest' })
  await advanceChainTime(info.deadline - latest.timestamp + 1n)
  await expect(sb.disputeStatus).toContainText('finalizable')
  await sb.finalize()
  for (const s of settlers) await expect(s.disputeStatus).toContainText(`finalized · checkpoint v${n2}`)

  // what the contract finalized, and the holdings of that cut in every replica
  const final = (await channelInfo(channelId)).checkpoint
  expect(final.version).toBe(BigInt(n2))
  const cuts = await Promise.all(settlers.map((s) => s.tally(n2, final.balancesRoot)))
  for (const cut of cuts) expect(cut?.holdings).toEqual(cuts[0]!.holdings)
  const holdings = cuts[0]!.holdings.map((row) => row.map(BigInt))
  // the challenge mattered: v2 holds the trade made after v1 was proposed
  expect(cuts[0]!.holdings).not.toEqual(v1.holdings)
  expect(holdings[0]![0]).toBe(7n * 10n ** 18n)
  // nothing traded after the cut: it is also what every screen shows now
  const views = await converged(traders)
  expect(views[0]!.holdings).toEqual(cuts[0]!.holdings)

  // before claiming, every panel shows what each participant receives: the finalized holdings
  for (const s of settlers) {
    await expect(s.panel.getByTestId('payouts')).toContainText(`Finalized v${n2}: each participant claims`)
    for (let p = 0; p < 3; p++)
      await expect(s.panel.getByTestId(`payout-${p}`).locator('td').nth(1)).toHaveText(
        formatUnits(holdings[p]![0]!, weth.decimals),
      )
  }
  await Promise.all(settlers.map((s) => s.claim()))
  // the claim's transactions are shown and were mined; a second claim says so instead of reverting
  const claimTxs = await sa.txHashes()
  expect(claimTxs.length).toBeGreaterThanOrEqual(1)
  for (const hash of claimTxs)
    expect((await chain().getTransactionReceipt({ hash: hash as `0x${string}` })).status).toBe('success')
  await sa.panel.getByRole('button', { name: 'Claim and withdraw' }).click()
  await expect(sa.status).toHaveText('Claim and withdraw: already claimed')
  for (let p = 0; p < settlers.length; p++) {
    const after = await erc20Balances(settlers[p]!.address)
    for (let k = 0; k < 2; k++) expect(after[k]).toBe(before[p]![k]! - deposits[p]![k]! + holdings[p]![k]!)
  }
  // everything deposited was paid out
  for (const t of [weth, usdc]) expect(await channelHoldings(channelId, t.address)).toBe(0n)
  for (const t of traders) await t.close()
})
