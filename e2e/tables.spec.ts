import { expect, test } from '@playwright/test'
import { env, Trader } from './support/trader.ts'

test('create form: a numeric field keeps what was typed and refuses it with a message; the invite link copies with "Copied" and no error', async ({
  browser,
}) => {
  const a = await Trader.open(browser, 'A', 4)
  await a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env().app })
  const errors: string[] = []
  a.page.on('pageerror', (e) => errors.push(e.message))
  await a.connect()
  const form = a.page.getByRole('form', { name: 'Create channel' })
  const maker = form.locator('input[name="maker-fee"]')
  await maker.fill('abc-5')
  await expect(maker).toHaveValue('abc-5')
  await expect(form.getByTestId('number-errors')).toHaveText(
    'Maker fee: "abc-5" is not a whole number (digits only)',
  )
  await expect(form.getByRole('button', { name: 'Create invite' })).toBeDisabled()
  await maker.fill('3')
  await expect(form.getByTestId('number-errors')).toBeHidden()

  // roles and fees are explained where the channel is created; the fee recipient is a participant of choice
  await expect(form.getByTestId('roles-explained')).toContainText(
    'Observer: only watches and co-signs checkpoints',
  )
  await form.locator('input[name="participant-1"]').fill('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
  await form.locator('select[name="fee-recipient"]').selectOption({ index: 1 })
  await expect(form.getByTestId('fees-explained')).toContainText('to participant 2')

  const link = await a.createChannel(['0x70997970C51812dc3A010C7d01b50e0d17dc79C8'])
  await a.page.getByRole('button', { name: 'Copy link' }).click()
  await expect(a.page.getByRole('button', { name: 'Copied' })).toBeVisible()
  expect(await a.page.evaluate(() => navigator.clipboard.readText())).toBe(link)
  expect(errors).toEqual([])
  await a.close()
})
