import { expect, test } from '@playwright/test'
import { liveChannel } from './support/trader.ts'

test('presence and finality in words: a closed tab shows as offline within seconds, and pending ops say what they wait for', async ({
  browser,
}) => {
  // quorum 2 of 3: A and B keep committing without C, A alone cannot
  const { traders } = await liveChannel(browser, [1, 2, 3], undefined, 60, 2)
  const [a, b, c] = traders as [(typeof traders)[number], (typeof traders)[number], (typeof traders)[number]]
  const line = a.page.getByTestId('finality')
  await expect(line).toContainText('3 of 3 participants online')
  await expect(line).toContainText('Everything is final')

  // C's tab closes without a goodbye (no beforeunload): its heartbeats stop, A sees it offline within seconds
  const closedAt = Date.now()
  await c.close()
  await expect(line).toContainText('2 of 3 participants online', { timeout: 10_000 })
  expect(Date.now() - closedAt).toBeLessThan(10_000)
  await expect(line).toContainText(/offline since \d/)
  await a.page.getByRole('tab', { name: 'Peers' }).click()
  await expect(a.page.getByRole('table', { name: 'Participants' })).toContainText(/offline since \d/)

  // with 2 of 3 online and quorum 2, A's order becomes final
  await a.place('Sell', '2000', '1')
  await expect(line).toContainText('Everything is final', { timeout: 30_000 })

  // B leaves too: A's next order stays pending, and the line says why
  await b.close()
  await expect(line).toContainText('1 of 3 participants online', { timeout: 10_000 })
  await a.place('Sell', '2010', '1')
  await expect(line).toContainText(
    'operation pending: nothing can become final until 1 more participant comes online (2 of 3 needed)',
  )
  await a.close()
})
