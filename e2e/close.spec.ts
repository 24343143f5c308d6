import { expect, test } from '@playwright/test'
import { formatUnits as shown } from '../src/ui/format.ts'
import { expectClosed, submitTransfer } from './support/closedChannel.ts'
import { channelHoldings, channelInfo, erc20Balances, Settler, tokens } from './support/settlement.ts'
import { converged, liveChannel } from './support/trader.ts'

const section = (s: Settler) => s.panel.getByTestId('close-together')
const closeStatus = (s: Settler) => s.panel.getByTestId('close-status')
const submitButton = (s: Settler, v: number) =>
  s.panel.getByRole('button', { name: `Submit the close (v${v})` })

test('close together: every trader signs one close with a click, one submits; each wallet receives exactly the balance its screen showed, at once', async ({
  browser,
}) => {
  // A deposits 10 WETH, B and C 50,000 USDC each (liveChannel's funding), then A sells B 1 WETH
  const { traders } = await liveChannel(browser, [4, 5, 6], undefined, 600)
  const settlers = traders.map((t) => new Settler(t))
  const [a, b, c] = traders as [(typeof traders)[0], (typeof traders)[0], (typeof traders)[0]]
  const [sa, sb, sc] = settlers as [Settler, Settler, Settler]
  const channelId = await sa.channelId()
  const [weth, usdc] = tokens() as [ReturnType<typeof tokens>[0], ReturnType<typeof tokens>[0]]
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '1')
  await converged(traders, (v) => v.trades >= 1)

  // a checkpoint of the trade; every screen offers to close at it
  const n1 = await sa.requestCheckpoint(3)
  await converged(traders, (v) => BigInt(v.latestCheckpoint) >= BigInt(n1))
  for (const s of settlers) await expect(section(s)).toHaveAttribute('data-phase', 'offered')
  await sa.panel.getByRole('button', { name: `Close together at v${n1}` }).click()
  for (const s of settlers) await expect(closeStatus(s)).toContainText(`1 of 3 signed, waiting for 2 more`)
  await sb.panel.getByRole('button', { name: `Sign the close at v${n1}` }).click()
  // C has not signed: nobody can submit, every screen says who is missing
  for (const s of settlers) {
    await expect(closeStatus(s)).toContainText(`2 of 3 signed, waiting for 1 more`)
    await expect(submitButton(s, n1)).toBeDisabled()
    await expect(submitButton(s, n1)).toHaveAttribute('title', '2 of 3 signed, waiting for 1 more')
  }
  await expect(closeStatus(sa)).toContainText(
    new RegExp(`not signed yet: ${c.address.slice(0, 6)}…${c.address.slice(-4)} · you signed`, 'i'),
  )
  await expect(closeStatus(sc)).toContainText('not signed yet: you')
  await expect(sc.panel.getByRole('button', { name: `Sign the close at v${n1}` })).toBeEnabled()
  await sa.panel.screenshot({ path: 'docs/screenshots/close-together.png' })

  // C moves funds instead: closing at v1 would undo that transfer, so v1's close is superseded everywhere
  expect((await submitTransfer(c.page, 0, 1, 1_000_000)).ok).toBe(true)
  await converged(traders, (v) => v.holdings[2]![1] === String(50_000n * 10n ** 6n - 1_000_000n))
  for (const s of settlers) await expect(closeStatus(s)).toContainText(`the close at v${n1} was superseded`)
  await expect(sc.panel.getByRole('button', { name: `Sign the close at v${n1}` })).toHaveCount(0)
  const n2 = await sc.requestCheckpoint(3)
  expect(n2).toBeGreaterThan(n1)
  await converged(traders, (v) => BigInt(v.latestCheckpoint) >= BigInt(n2))
  for (const s of settlers) await expect(section(s)).toHaveAttribute('data-phase', 'offered')
  await sc.panel.getByRole('button', { name: `Close together at v${n2}` }).click()
  await sa.panel.getByRole('button', { name: `Sign the close at v${n2}` }).click()
  await sb.panel.getByRole('button', { name: `Sign the close at v${n2}` }).click()
  for (const s of settlers) {
    await expect(closeStatus(s)).toContainText(`All 3 signed the close at v${n2}`)
    await expect(submitButton(s, n2)).toBeEnabled()
  }

  // what every screen shows before the close: each participant's balance in v2, the same everywhere
  const cut = (await sa.tally(n2))!
  const holdings = cut.holdings.map((row) => row.map(BigInt))
  for (const s of settlers) {
    expect((await s.tally(n2))!.holdings).toEqual(cut.holdings)
    await expect(s.panel.getByTestId('payouts')).toContainText(`If v${n2} is proposed`)
    for (let p = 0; p < 3; p++)
      for (const [k, t] of [weth, usdc].entries())
        await expect(
          s.panel
            .getByTestId(`payout-${p}`)
            .locator('td')
            .nth(k + 1),
        ).toHaveText(shown(holdings[p]![k]!, t.decimals, 6))
  }
  expect(holdings[0]![1]).toBeGreaterThan(0n) // A sold for USDC
  const before = await Promise.all(settlers.map((s) => erc20Balances(s.address)))

  // B submits (one wallet transaction); progress is shown until the chain confirms it
  await submitButton(sb, n2).click()
  await expect(sb.status).toHaveText(`Close together at v${n2}: closed and paid`, { timeout: 60_000 })
  const [tx] = await sb.txHashes()
  expect(tx).toMatch(/^0x[0-9a-f]{64}$/)

  // on chain: finalized at once, no root kept (nothing left to claim), every wallet paid its balance exactly
  const info = await channelInfo(channelId)
  expect(info.status).toBe(3)
  expect(info.checkpoint.version).toBe(BigInt(n2))
  expect(info.checkpoint.balancesRoot).toBe(`0x${'00'.repeat(32)}`)
  for (const [i, s] of settlers.entries()) {
    const after = await erc20Balances(s.address)
    for (let k = 0; k < 2; k++) expect(after[k]! - before[i]![k]!).toBe(holdings[i]![k]!)
  }
  for (const t of [weth, usdc]) expect(await channelHoldings(channelId, t.address)).toBe(0n)

  // every panel: closed and paid, nothing to claim, propose or checkpoint; every other screen refuses new actions
  for (const s of settlers) {
    await expect(section(s)).toHaveAttribute('data-phase', 'closed')
    await expect(closeStatus(s)).toHaveText(
      `Closed together at v${n2}: every participant was paid its balance.`,
    )
    await expect(s.disputeStatus).toContainText(`finalized · checkpoint v${n2} · closed together`)
    await expect(s.panel.getByTestId('close-paid')).toContainText('nothing left to withdraw')
    await expect(s.panel.getByTestId('payouts')).toContainText(
      `Closed together at v${n2}: paid to each participant`,
    )
    for (let p = 0; p < 3; p++)
      await expect(s.panel.getByTestId(`payout-${p}`).locator('td').nth(2)).toHaveText(
        shown(holdings[p]![1]!, usdc.decimals, 6),
      )
    for (const name of [
      'Checkpoint now',
      /^Propose/,
      'Claim and withdraw',
      /Emergency exit/,
      /^Close together/,
    ])
      await expect(s.panel.getByRole('button', { name })).toHaveCount(0)
    // nor does any line still offer to propose (A asked for the checkpoints: its panel said "ready to propose")
    await expect(s.panel).not.toContainText('ready to propose')
    await expect(s.trader.page.getByTestId('channel-phase')).toContainText('Channel finalized on chain')
    await expectClosed(s.trader, /finalized on chain/)
  }
  for (const t of traders) await t.close()
})

test('close together with a participant offline: the signer is told its signature waits to be sent, and is not offered to sign again', async ({
  browser,
}) => {
  const { traders } = await liveChannel(browser, [7, 8, 9], undefined, 600)
  const [sa, sb] = traders.map((t) => new Settler(t)) as [Settler, Settler]
  const n1 = await sa.requestCheckpoint(3)
  await converged(traders, (v) => BigInt(v.latestCheckpoint) >= BigInt(n1))
  await expect(section(sa)).toHaveAttribute('data-phase', 'offered')
  // C goes away: with all 3 needed, no round completes after A's, so B's block with its signature is not sent yet
  await traders[2]!.close()
  await sa.panel.getByRole('button', { name: `Close together at v${n1}` }).click()
  await expect(closeStatus(sb)).toContainText('1 of 3 signed, waiting for 2 more')
  await sb.panel.getByRole('button', { name: `Sign the close at v${n1}` }).click()
  // it used to keep saying "not signed yet: you" and offering "Sign the close" as if nothing was signed
  await expect(closeStatus(sb)).toContainText('you signed: your signature travels in your next block')
  await expect(sb.panel.getByRole('button', { name: `Sign the close at v${n1}` })).toHaveCount(0)
  for (const t of traders.slice(0, 2)) await t.close()
})
