import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from './bytes.ts'

describe('toHex', () => {
  it('writes two lowercase digits per byte after 0x, at every length (scratch and allocated)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        const expected = `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
        expect(toHex(bytes)).toBe(expected)
        expect(fromHex(toHex(bytes))).toEqual(bytes)
      }),
      { numRuns: 300 },
    )
  })

  it('returns independent strings although it reuses its scratch buffer', () => {
    const a = toHex(new Uint8Array([1, 2, 3]))
    const b = toHex(new Uint8Array([0xff, 0xfe]))
    expect([a, b]).toEqual(['0x010203', '0xfffe'])
  })
})
