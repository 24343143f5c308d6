import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  defaultQuorum,
  describeQuorum,
  isValidQuorum,
  toleratedEquivocators,
  toleratedSilent,
} from './quorum.ts'
import { makeTestChannel } from './testing.ts'

const n = fc.integer({ min: 1, max: 1000 })

describe('defaultQuorum: n − ⌊(n − 1)/3⌋', () => {
  it('small channels, by hand', () => {
    // n:        1  2  3  4  5  6  7  8  9 10  100
    const want = [1, 2, 3, 3, 4, 5, 5, 6, 7, 7]
    expect(want.map((_, i) => defaultQuorum(i + 1))).toEqual(want)
    expect(defaultQuorum(100)).toBe(67)
  })

  it('is always a valid quorum, and the classic 2f + 1 of n = 3f + 1', () => {
    fc.assert(
      fc.property(n, (k) => {
        const q = defaultQuorum(k)
        expect(isValidQuorum(k, q)).toBe(true)
        expect(Number.isInteger(q)).toBe(true)
      }),
    )
    for (let f = 0; f <= 30; f++) {
      const k = 3 * f + 1
      expect(defaultQuorum(k)).toBe(2 * f + 1)
      // tolerates f of each kind: f equivocators (safety) and f silent (liveness)
      expect(toleratedEquivocators(k, defaultQuorum(k))).toBe(f)
      expect(toleratedSilent(k, defaultQuorum(k))).toBe(f)
    }
  })

  it('balances the two guarantees: neither falls more than one below ⌊(n − 1)/3⌋', () => {
    fc.assert(
      fc.property(n, (k) => {
        const q = defaultQuorum(k)
        const f = Math.trunc((k - 1) / 3)
        expect(toleratedSilent(k, q)).toBe(f)
        expect(toleratedEquivocators(k, q)).toBeGreaterThanOrEqual(f)
        expect(toleratedEquivocators(k, q)).toBeLessThanOrEqual(f + 2)
      }),
    )
  })

  it('refuses a participant count that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => defaultQuorum(bad)).toThrow(RangeError)
  })
})

describe('isValidQuorum: integers with n/2 < q ≤ n', () => {
  it('exactly the integers strictly above half and at most n', () => {
    fc.assert(
      fc.property(n, fc.integer({ min: -5, max: 1010 }), (k, q) => {
        expect(isValidQuorum(k, q)).toBe(2 * q > k && q <= k)
      }),
    )
    expect(isValidQuorum(4, 2)).toBe(false) // two disjoint halves could each finalize
    expect(isValidQuorum(4, 3)).toBe(true)
    expect(isValidQuorum(5, 3)).toBe(true)
    expect(isValidQuorum(5, 6)).toBe(false)
    expect(isValidQuorum(5, 3.5)).toBe(false)
    expect(isValidQuorum(5, Number.NaN)).toBe(false)
  })

  it('agrees with what openChannel accepts as a threshold', () => {
    // the threshold is part of the channel id, so every candidate gets its own signed channel
    for (let q = 0; q <= 6; q++) {
      const open = () => makeTestChannel({ participants: 5, label: 'quorum', threshold: q })
      if (isValidQuorum(5, q)) expect(open().channel.config.threshold).toBe(q)
      else expect(open).toThrow(/threshold/)
    }
    // and the default of a test channel is the default quorum
    expect(makeTestChannel({ participants: 5, label: 'quorum' }).channel.config.threshold).toBe(
      defaultQuorum(5),
    )
  })

  it('any two quorums share at least 2q − n members, so more than the tolerated equivocators', () => {
    fc.assert(
      fc.property(n, fc.nat(), (k, pick) => {
        const valid = Array.from({ length: k }, (_, i) => i + 1).filter((q) => isValidQuorum(k, q))
        const q = valid[pick % valid.length]!
        const overlap = 2 * q - k
        expect(overlap).toBeGreaterThanOrEqual(1)
        // an overlap made only of equivocators needs more than the commit rule tolerates
        expect(toleratedEquivocators(k, q)).toBe(overlap - 1)
        expect(toleratedSilent(k, q)).toBe(k - q)
        // q participants remain after the tolerated silent ones leave
        expect(k - toleratedSilent(k, q)).toBe(q)
      }),
    )
  })
})

describe('describeQuorum', () => {
  it('states q of n and both tolerances', () => {
    const text = describeQuorum(7, 5)
    expect(text).toContain('5 of 7 participants')
    expect(text).toContain(`up to ${toleratedSilent(7, 5)} offline`)
    expect(text).toContain(`up to ${toleratedEquivocators(7, 5)} participant(s)`)
    expect(text).toContain(`at least ${toleratedEquivocators(7, 5) + 1} of them`)
  })

  it('unanimity: nobody may be offline', () => {
    expect(describeQuorum(3, 3)).toContain('up to 0 offline')
    expect(describeQuorum(3, 3)).toContain('up to 2 participant(s)')
  })
})
