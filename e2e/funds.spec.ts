import { expect, test } from '@playwright/test'
import { formatUnits } from 'viem'
import { formatUnits as shown } from '../src/ui/format.ts'
import { chain, erc20Balances, tokens } from './support/settlement.ts'
import { liveChannel } from './support/trader.ts'

test('deposits: wallet balance with its symbol, Max and % shortcuts, more than the wallet (or a transfer of more than the channel holds) refused before sending, approve + deposit as two steps with their hashes', async ({
  browser,
}) => {
  const { traders } = await liveChannel(browser, [1, 2], () => [])
  const [a] = traders as [(typeof traders)[number]]
  const [weth] = tokens() as [ReturnType<typeof tokens>[0]]
  const funds = a.page.getByRole('region', { name: 'Funds' })
  await funds.getByLabel('Token').selectOption({ label: weth.symbol })
  const [held] = (await erc20Balances(a.address as `0x${string}`)) as [bigint]
  const whole = formatUnits(held, weth.decimals)
  // other scenarios trade with this account: its balance may carry any number of decimals
  await expect(funds.getByTestId('fund-balances')).toContainText(
    `Wallet: ${shown(held, weth.decimals, 6)} ${weth.symbol}`,
  )
  await expect(funds.getByTestId('fund-balances')).toContainText(
    `${weth.symbol} · In channel: 0 ${weth.symbol}`,
  )

  const amount = funds.locator('input[name="fund-amount"]')
  await funds.getByRole('button', { name: 'Max' }).click()
  await expect(amount).toHaveValue(whole)
  await funds.getByRole('button', { name: '25%' }).click()
  await expect(amount).toHaveValue(formatUnits(held / 4n, weth.decimals))

  // one unit more than the wallet holds: refused in words, before any wallet prompt or transaction
  const before = await chain().getBlockNumber()
  await amount.fill(formatUnits(held + 1n, weth.decimals))
  await expect(funds.getByTestId('deposit-refused')).toContainText(`is more than your wallet holds (`)
  await expect(funds.getByTestId('deposit-refused')).not.toContainText(held.toString())
  await expect(funds.getByRole('button', { name: 'Deposit on chain' })).toBeDisabled()

  // a deposit the allowance does not cover: approve, then deposit, each hash shown and mined
  await amount.fill('1.5')
  await funds.getByRole('button', { name: 'Deposit on chain' }).click()
  await expect(funds.getByRole('status')).toHaveText(`Deposit 1.5 ${weth.symbol}: done`, { timeout: 60_000 })
  const hashes = await funds
    .getByTestId('tx-hash')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-hash') as `0x${string}`))
  expect(hashes).toHaveLength(2)
  for (const hash of hashes) {
    const r = await chain().getTransactionReceipt({ hash })
    expect(r.status).toBe('success')
    expect(r.blockNumber).toBeGreaterThan(before)
  }
  // the form cleared; the channel credits it
  await expect(amount).toHaveValue('')
  await expect(funds.getByTestId('fund-balances')).toContainText(`In channel: 1.5 ${weth.symbol} available`, {
    timeout: 30_000,
  })
  // a transfer of more than the channel holds is refused while typing, not signed and rejected by every peer
  await amount.fill('2')
  await expect(funds.getByTestId('transfer-refused')).toHaveText(
    `Transfer: 2 ${weth.symbol} is more than you hold in the channel (1.5 ${weth.symbol} available)`,
  )
  await expect(funds.getByRole('button', { name: 'Transfer in channel' })).toBeDisabled()
  await amount.fill('1.5')
  await expect(funds.getByTestId('transfer-refused')).toBeHidden()
  await expect(funds.getByRole('button', { name: 'Transfer in channel' })).toBeEnabled()
  // a double-click sends one transfer: the first click clears the amount, the second finds the button disabled
  // (it used to send the amount twice)
  await amount.fill('0.5')
  await funds.getByRole('button', { name: 'Transfer in channel' }).dblclick()
  await expect(amount).toHaveValue('')
  await expect(funds.getByTestId('fund-balances')).toContainText(`In channel: 1 ${weth.symbol} available`, {
    timeout: 30_000,
  })
  for (const t of traders) await t.close()
})
