import { expect, it } from 'vitest'
import { backgroundTimer } from './backgroundTimer.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

it('runs once after its delay, and never once cancelled (Node: a plain timer)', async () => {
  const ran: string[] = []
  backgroundTimer(() => ran.push('a'), 5)
  const cancel = backgroundTimer(() => ran.push('b'), 5)
  cancel()
  expect(ran).toEqual([])
  await sleep(30)
  expect(ran).toEqual(['a'])
  cancel()
  expect(ran).toEqual(['a'])
})
