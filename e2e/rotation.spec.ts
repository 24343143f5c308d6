import { expect, test } from '@playwright/test'
import { fromHex } from '../src/core/bytes.ts'
import { recoverAddress } from '../src/core/signature.ts'
import {
  erc20Balances,
  finalizeAndClaimAll,
  openLiveChannel,
  participantInfo,
  type Settler,
  tokens,
} from './support/settlement.ts'
import { converged, type Trader } from './support/trader.ts'

/** Rotates A's session key in the Session key panel and waits until the rotation is announced and on chain. */
async function rotate(s: Settler, index: number): Promise<string> {
  const panel = s.page.getByRole('region', { name: 'Session key' })
  const before = await panel.getByTestId('signing-key').getAttribute('data-key')
  await panel.getByRole('button', { name: 'Rotate session key' }).click()
  await expect(panel.getByRole('status')).toContainText('Rotate session key: now signing with')
  const row = panel.getByTestId(`rotation-${index}`)
  await expect(row).toContainText('announced to peers')
  await expect(row).toHaveAttribute('data-chain', 'on-chain', { timeout: 30_000 })
  await expect(row.getByTestId('tx-hash')).toBeVisible()
  const key = (await panel.getByTestId('signing-key').getAttribute('data-key'))!
  expect(key).not.toBe(before)
  expect((await participantInfo(await s.channelId(), s.address)).sessionKey.toLowerCase()).toBe(key)
  return key
}

test('issue 12: rotate the session key in the app, reload, rotate again, keep trading, settle: the new key signs checkpoints the chain accepts and every payout is exact', async ({
  browser,
}) => {
  const { traders, settlers } = await openLiveChannel(browser, [5, 6], 600)
  const [a, b] = traders as [Trader, Trader]
  const [sa, sb] = settlers as [Settler, Settler]
  const channelId = await sa.channelId()
  const [weth, usdc] = tokens() as [ReturnType<typeof tokens>[0], ReturnType<typeof tokens>[0]]
  const before = await Promise.all(settlers.map((s) => erc20Balances(s.address)))
  const deposits = [
    [10n * 10n ** 18n, 0n],
    [0n, 50_000n * 10n ** 6n],
  ]
  await a.deposit(weth.symbol, '10')
  await b.deposit(usdc.symbol, '50000')
  await converged(traders, (v) => v.holdings[0]![0] !== '0' && v.holdings[1]![1] !== '0')
  await a.place('Sell', '2000', '1')
  await b.place('Buy', '2000', '1')
  await converged(traders, (v) => v.trades >= 1)
  // v1 is signed by A's configured key
  const v1 = await sa.requestCheckpoint(2)
  const configured = (await a.view()).signingKey

  // A rotates: the wallet signs, the app keeps the new key, announces it in a block and applies it on chain
  const first = await rotate(sa, 0)
  // a reload keeps signing with the new key: the rotation comes back from IndexedDB with the own blocks
  await a.page.reload()
  await a.waitLive()
  expect((await a.view()).signingKey).toBe(first)
  await expect(a.page.getByTestId('rotation-0')).toHaveAttribute('data-chain', 'on-chain')
  // a second rotation after the reload, on top of the first
  const second = await rotate(sa, 1)
  expect(new Set([configured, first, second]).size).toBe(3)

  // trading goes on; A's blocks are signed by the newest key and every replica accepts them
  await a.place('Sell', '2100', '2')
  await b.place('Buy', '2100', '2')
  const views = await converged(traders, (v) => v.trades >= 2)
  expect(views.every((v) => v.equivocators.length === 0)).toBe(true)
  const v2 = await sb.requestCheckpoint(2)
  const cp = await sb.signedCheckpoint(v2)
  const signer = (i: number, c = cp) =>
    recoverAddress(fromHex(c.digest, 32), fromHex(c.signatures.find(([p]) => p === i)![1], 65))
  expect(signer(0)).toBe(second)
  expect(signer(0, await sb.signedCheckpoint(v1))).toBe(configured)

  // B proposes v2 with A's new-key signature: the contract accepts it; after the window both are paid exactly
  // (the version the transaction proposed: the dispute line follows the chain's poll and may still show the old state)
  const version = await sb.propose(v2)
  const holdings = (await sb.tally(version))!.holdings.map((row) => row.map(BigInt))
  expect(holdings[0]![0]).toBe(7n * 10n ** 18n)
  await finalizeAndClaimAll({ traders, finalizer: sa, channelId, version, before, deposits, holdings })
  for (const t of traders) await t.close()
})
