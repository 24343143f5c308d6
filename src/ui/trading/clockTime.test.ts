import { describe, expect, it } from 'vitest'
import { clockTime } from './useLiveness.ts'

describe('clockTime', () => {
  it('reads like toLocaleTimeString: hours and minutes, seconds within the last minute', () => {
    const now = Date.UTC(2026, 11, 1, 13, 45, 30)
    for (const ms of [now - 5_000, now - 59_999, now - 60_000, now - 3_600_000, 0]) {
      const recent = now - ms < 60_000
      const expected = new Date(ms).toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
        ...(recent ? { second: '2-digit' } : {}),
      })
      expect(clockTime(ms, now)).toBe(expected)
    }
  })
})
