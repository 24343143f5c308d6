import { describe, expect, it } from 'vitest'
import { reuseUnchanged, sameData } from './sameData.ts'

describe('sameData', () => {
  it('compares snapshot data by content', () => {
    expect(sameData([{ a: 1n, b: 'x' }], [{ a: 1n, b: 'x' }])).toBe(true)
    expect(sameData([{ a: 1n }], [{ a: 2n }])).toBe(false)
    expect(sameData({ a: undefined }, {})).toBe(false)
    expect(sameData([1, 2], [1, 2, 3])).toBe(false)
    expect(sameData(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true)
    expect(sameData(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
    expect(sameData(new Map([[1, new Uint8Array([9])]]), new Map([[1, new Uint8Array([9])]]))).toBe(true)
    expect(sameData(new Map([[1, 1]]), new Map([[2, 1]]))).toBe(false)
    expect(sameData(new Set([1]), new Set([1]))).toBe(true)
    expect(sameData(new Set([1]), new Set([2]))).toBe(false)
    expect(sameData([1], { 0: 1, length: 1 })).toBe(false)
    expect(sameData(Number.NaN, Number.NaN)).toBe(true)
  })

  it('reuseUnchanged keeps equal fields and returns the old object when nothing changed', () => {
    const prev = { a: [1n], b: { c: 'x' }, n: 1 }
    const same = reuseUnchanged(prev, { a: [1n], b: { c: 'x' }, n: 1 })
    expect(same).toBe(prev)
    const next = reuseUnchanged(prev, { a: [1n], b: { c: 'y' }, n: 1 })
    expect(next).not.toBe(prev)
    expect(next.a).toBe(prev.a)
    expect(next.b).toEqual({ c: 'y' })
  })
})
