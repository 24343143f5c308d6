import { keccak_256 } from '@noble/hashes/sha3.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { jsKeccak, keccak256 } from './hash.ts'
import { wasmKeccak } from './wasmCrypto.ts'

describe('keccak256', () => {
  it('matches the known empty-input digest', () => {
    expect(toHex(keccak256(new Uint8Array()))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
  })
  it('js-sha3 and WebAssembly (hash-wasm) agree with @noble/hashes, on views into larger buffers too', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.nat({ max: 40 }),
        fc.nat({ max: 40 }),
        (b, head, tail) => {
          const expected = toHex(keccak_256(b))
          const view = new Uint8Array(head + b.length + tail).fill(0xab)
          view.set(b, head)
          const sub = view.subarray(head, head + b.length)
          expect(toHex(jsKeccak(b))).toBe(expected)
          expect(toHex(wasmKeccak(sub))).toBe(expected)
          expect(toHex(keccak256(sub))).toBe(expected)
        },
      ),
      { numRuns: 300 },
    )
  })
  it('returns a digest of its own: a later hash does not overwrite an earlier one', () => {
    const a = wasmKeccak(new Uint8Array([1]))
    const copy = a.slice()
    wasmKeccak(new Uint8Array([2]))
    expect(a).toEqual(copy)
  })
})
