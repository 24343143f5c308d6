import { describe, expect, it } from 'vitest'
import {
  censoredRecord,
  FORCE_INCLUSION_DELAY_SECONDS,
  forcedDueAtMs,
  forceInclusionDelay,
} from './censorship.ts'

const D = 3_600n
const cp = (time: bigint, forcedCount: bigint) => ({ time, forcedCount })

describe('censorship rule (what the contract slashes)', () => {
  it('the delay is min(dispute window, 1 h), as the contract computes it', () => {
    expect(forceInclusionDelay(86_400n)).toBe(FORCE_INCLUSION_DELAY_SECONDS)
    expect(forceInclusionDelay(600n)).toBe(600n)
    expect(forcedDueAtMs(100n, D)).toBe(3_700_000n)
  })

  it('a checkpoint leaving out a record is censoring from exactly record time + delay on, not 1 ms before', () => {
    const records = [{ index: 0n, time: 100n }]
    const due = forcedDueAtMs(100n, D)
    expect(censoredRecord(cp(due - 1n, 0n), records, D)).toBeUndefined()
    expect(censoredRecord(cp(due, 0n), records, D)).toBe(0n)
    expect(censoredRecord(cp(due + 1_000_000n, 0n), records, D)).toBe(0n)
  })

  it('a checkpoint that includes the record is honest however late', () => {
    const records = [{ index: 0n, time: 100n }]
    expect(censoredRecord(cp(10n ** 12n, 1n), records, D)).toBeUndefined()
  })

  it('names the lowest due record left out; later, not yet due records do not count', () => {
    const records = [
      { index: 3n, time: 200n },
      { index: 2n, time: 100n },
      { index: 4n, time: 10_000n },
    ]
    const at = forcedDueAtMs(200n, D)
    expect(censoredRecord(cp(at, 0n), records, D)).toBe(2n)
    expect(censoredRecord(cp(at, 3n), records, D)).toBe(3n)
    expect(censoredRecord(cp(at, 4n), records, D)).toBeUndefined()
    expect(censoredRecord(cp(at, 0n), [], D)).toBeUndefined()
  })
})
