import { expect, test } from '@playwright/test'
import { parseEther, zeroAddress } from 'viem'
import { openLiveChannel, owed, participantInfo, slashedEvents, tokens } from './support/settlement.ts'
import { converged } from './support/trader.ts'

test('scenario 7: a bonded participant signs two blocks at one seq and round; every honest context flags it, one slashes the bond once, a second slash is refused', async ({
  browser,
}) => {
  const { traders, settlers } = await openLiveChannel(browser, [1, 2, 3], 600)
  const [a, b, evil] = traders as [(typeof traders)[0], (typeof traders)[0], (typeof traders)[0]]
  const [sa, sb, se] = settlers as [(typeof settlers)[0], (typeof settlers)[0], (typeof settlers)[0]]
  const channelId = await sa.channelId()
  const [weth, usdc] = tokens() as [ReturnType<typeof tokens>[0], ReturnType<typeof tokens>[0]]
  const honest = [a, b]
  const owedBefore = await Promise.all([sa, sb].map((s) => owed(s.address, zeroAddress)))

  // the evil participant bonds through its wallet, then takes part normally
  await se.bond('1')
  expect((await participantInfo(channelId, se.address)).bond).toBe(parseEther('1'))
  await a.deposit(weth.symbol, '10')
  await evil.deposit(usdc.symbol, '50000')
  await converged(traders, (v) => v.holdings[0]![0] !== '0' && v.holdings[2]![1] !== '0')
  await a.place('Sell', '2000', '1')
  await evil.place('Buy', '2000', '1')
  const clean = await converged(traders, (v) => v.trades >= 1)
  expect(clean[0]!.equivocators).toEqual([])

  // then signs a second block at the seq of its latest one and publishes it
  const seq = await se.equivocate()
  const views = await converged(honest, (v) => v.equivocators.includes(2))
  for (const v of views) expect(v.equivocators).toEqual([2])
  for (const s of [sa, sb]) {
    await s.page.getByRole('tab', { name: 'Peers' }).click()
    const row = s.page.getByRole('table', { name: 'Participants' }).getByRole('row').nth(3)
    await expect(row).toContainText('equivocated')
    await expect(s.page.getByText(`signed two blocks at seq ${seq}`).first()).toBeVisible()
    await expect(s.panel.getByTestId('equivocator-2')).toContainText('bond on chain 1 ETH')
  }

  // A slashes: the bond is shared out, the equivocator marked
  await sa.act('Slash bond', 'Slash')
  const after = await participantInfo(channelId, se.address)
  expect(after.slashed).toBe(true)
  expect(after.bond).toBe(0n)
  const events = await slashedEvents(channelId)
  expect(events).toHaveLength(1)
  expect(events[0]!.args.author?.toLowerCase()).toBe(se.address.toLowerCase())
  expect(events[0]!.args.submitter?.toLowerCase()).toBe(sa.address.toLowerCase())
  expect(events[0]!.args.amount).toBe(parseEther('1'))
  // shared between the two other participants; nothing extra to the submitter (a reward to whoever submits could
  // be front-run, by the offender itself among others)
  expect(await owed(sa.address, zeroAddress)).toBe(owedBefore[0]! + parseEther('0.5'))
  expect(await owed(sb.address, zeroAddress)).toBe(owedBefore[1]! + parseEther('0.5'))
  for (const s of [sa, sb])
    await expect(s.panel.getByTestId('equivocator-2')).toContainText('slashed on chain')
  await expect(se.page.getByRole('region', { name: 'Funds' }).getByTestId('own-bond')).toHaveText(
    'Your bond was slashed',
  )

  // B tries too: the contract refuses, the panel shows the decoded error, nothing more is paid
  await sb.panel.getByRole('button', { name: 'Slash bond' }).click()
  await expect(sb.status).toContainText('Slash: ChannelSettlementAlreadySlashed(')
  expect(await slashedEvents(channelId)).toHaveLength(1)
  expect(await owed(sb.address, zeroAddress)).toBe(owedBefore[1]! + parseEther('0.5'))
  // the honest replicas still agree on the state (the equivocator's forked ops are void everywhere)
  await converged(honest)
  for (const t of traders) await t.close()
})
