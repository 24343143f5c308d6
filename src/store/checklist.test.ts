import { describe, expect, it } from 'vitest'
import { type ChecklistFacts, checklist } from './checklist.ts'

const fresh: ChecklistFacts = {
  deposited: false,
  traded: false,
  certified: undefined,
  certifiedCoversYou: false,
  quorum: 2,
  participants: 3,
  phase: 'open',
  onChainVersion: 0n,
  secondsLeft: undefined,
  unclaimed: undefined,
}
const states = (f: ChecklistFacts) => checklist(f).map((s) => `${s.key}:${s.state}`)
const current = (f: ChecklistFacts) => checklist(f).find((s) => s.state === 'current')

describe('settlement checklist', () => {
  it('walks deposit → trade → checkpoint → propose → finalize → claim, one current step at a time', () => {
    expect(states(fresh)).toEqual([
      'deposit:current',
      'trade:todo',
      'checkpoint:todo',
      'propose:todo',
      'finalize:todo',
      'claim:todo',
    ])
    expect(current(fresh)?.hint).toMatch(/Funds panel/)
    expect(current({ ...fresh, deposited: true })?.key).toBe('trade')
    const signed = { ...fresh, deposited: true, traded: true }
    expect(current(signed)?.hint).toMatch(/2 of 3 signatures/)
    // a checkpoint older than this participant's latest trade does not complete the step
    const stale = { ...signed, certified: 3n, certifiedCoversYou: false }
    expect(current(stale)).toMatchObject({
      key: 'checkpoint',
      hint: expect.stringMatching(/not in a signed/),
    })
    const certified = { ...signed, certified: 4n, certifiedCoversYou: true }
    expect(current(certified)).toMatchObject({ key: 'propose', hint: expect.stringMatching(/propose v4/) })
    const disputing = { ...certified, phase: 'disputing' as const, onChainVersion: 4n, secondsLeft: 37n }
    expect(current(disputing)).toMatchObject({ key: 'finalize', hint: expect.stringMatching(/37 s left/) })
    expect(current({ ...disputing, phase: 'finalizable' })?.hint).toMatch(/anyone may finalize/)
    const finalized = { ...disputing, phase: 'finalized' as const }
    expect(current(finalized)?.hint).toMatch(/reading/)
    expect(current({ ...finalized, unclaimed: 2 })?.hint).toMatch(/2 tokens still owed/)
    expect(states({ ...finalized, unclaimed: 0 }).every((s) => s.endsWith(':done'))).toBe(true)
  })

  it('a settlement started by someone else completes the steps before it, even for a participant who never traded', () => {
    const proposedByOther = { ...fresh, phase: 'disputing' as const, onChainVersion: 2n, secondsLeft: 5n }
    expect(states(proposedByOther).slice(0, 4)).toEqual([
      'deposit:done',
      'trade:done',
      'checkpoint:done',
      'propose:done',
    ])
    expect(current(proposedByOther)?.key).toBe('finalize')
  })

  it('a step done out of order (a trade without own deposit, e.g. by transfer) still leaves the earliest open step current', () => {
    expect(states({ ...fresh, traded: true }).slice(0, 2)).toEqual(['deposit:current', 'trade:done'])
    expect(checklist({ ...fresh, traded: true }).filter((s) => s.state === 'current')).toHaveLength(1)
  })

  it('before the first chain read nothing counts as settling', () => {
    expect(current({ ...fresh, phase: undefined, deposited: true, traded: true })?.key).toBe('checkpoint')
    expect(current({ ...fresh, phase: 'unknown' })?.key).toBe('deposit')
  })
})
