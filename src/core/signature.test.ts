import { secp256k1 } from '@noble/curves/secp256k1.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from './bytes.ts'
import { keccak256 } from './hash.ts'
import {
  addressFromPrivateKey,
  nobleRecovery,
  nobleSigning,
  recoverAddress,
  recoverAddressWith,
  signDigest,
  signDigestWith,
} from './signature.ts'
import { wasmRecovery, wasmSigning } from './wasmCrypto.ts'

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
// anvil's first dev account: a known key/address pair
const KEY = fromHex('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const ADDR = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'

describe('signatures (THREATS row 3)', () => {
  const digest = keccak256(new TextEncoder().encode('block'))
  const sig = signDigest(digest, KEY)

  it('derives the Ethereum address of a key', () => {
    expect(addressFromPrivateKey(KEY)).toBe(ADDR)
  })
  it('recovers the signer of a valid low-s signature', () => {
    expect(sig.length).toBe(65)
    expect([27, 28]).toContain(sig[64])
    expect(recoverAddress(digest, sig)).toBe(ADDR)
  })
  it('recovers someone else for a different digest (one field changed)', () => {
    const other = keccak256(new TextEncoder().encode('block!'))
    expect(recoverAddress(other, sig)).not.toBe(ADDR)
  })
  it('rejects the high-s twin', () => {
    const s = BigInt(toHex(sig.subarray(32, 64)))
    const twin = new Uint8Array(sig)
    twin.set(fromHex(`0x${(N - s).toString(16).padStart(64, '0')}`), 32)
    twin[64] = sig[64] === 27 ? 28 : 27
    // the twin is a mathematically valid signature by the same key...
    const pub = secp256k1.Signature.fromBytes(twin.subarray(0, 64), 'compact')
      .addRecoveryBit(twin[64]! - 27)
      .recoverPublicKey(digest)
    expect(toHex(pub.toBytes(true))).toBe(toHex(secp256k1.getPublicKey(KEY, true)))
    // ...and is refused
    expect(recoverAddress(digest, twin)).toBe('high-s')
  })
  it('rejects the 64-byte compact form', () => {
    expect(recoverAddress(digest, sig.subarray(0, 64))).toBe('length')
  })
  it('rejects v outside {27, 28}', () => {
    for (const v of [0, 1, 29, 35]) {
      const bad = new Uint8Array(sig)
      bad[64] = v
      expect(recoverAddress(digest, bad)).toBe('v')
    }
  })
  it('rejects zero r or s', () => {
    const bad = new Uint8Array(sig)
    bad.fill(0, 0, 32)
    expect(recoverAddress(digest, bad)).toBe('zero')
  })
  it('flipping v recovers a different address', () => {
    const flipped = new Uint8Array(sig)
    flipped[64] = sig[64] === 27 ? 28 : 27
    expect(recoverAddress(digest, flipped)).not.toBe(ADDR)
  })
})

const wasm = (digest: Uint8Array, sig: Uint8Array) => recoverAddressWith(wasmRecovery, digest, sig)
const noble = (digest: Uint8Array, sig: Uint8Array) => recoverAddressWith(nobleRecovery, digest, sig)

describe('libsecp256k1 (WebAssembly) and @noble/curves recover the same signer', () => {
  const key = keccak256(new Uint8Array([42]))

  it('on valid, tampered and malformed signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 64 }),
        (digest, secret, tamper, at) => {
          const sk = secret.some((b) => b !== 0) ? secret : key
          let signer = sk
          let sig: Uint8Array
          try {
            sig = signDigest(digest, sk)
          } catch {
            signer = key // a secret ≥ n is not a key
            sig = signDigest(digest, key)
          }
          if (tamper === 0) expect(wasm(digest, sig)).toBe(addressFromPrivateKey(signer))
          if (tamper === 1) sig[64] = sig[64] === 27 ? 28 : 27
          else if (tamper === 2) sig[at] = sig[at]! ^ 1
          else if (tamper === 3) sig[64] = 29
          else if (tamper === 4) sig.fill(0, 0, 32)
          else if (tamper === 5)
            sig.fill(0xff, 0, 32) // r ≥ n
          else if (tamper === 6) sig.set(digest, 0) // r an arbitrary x, often not on the curve
          expect(wasm(digest, sig)).toBe(noble(digest, sig))
        },
      ),
      { numRuns: 400 },
    )
  })

  it('on r = x of no curve point and on the smallest and largest valid r', () => {
    const digest = keccak256(new Uint8Array([7]))
    const sig = signDigest(digest, key)
    for (const r of [1n, 5n, N - 1n, N, (1n << 256n) - 1n]) {
      const bad = sig.slice()
      let x = r
      for (let i = 31; i >= 0; i--) {
        bad[i] = Number(x & 0xffn)
        x >>= 8n
      }
      for (const v of [27, 28]) {
        bad[64] = v
        expect(wasm(digest, bad)).toBe(noble(digest, bad))
      }
    }
  })
})

describe('libsecp256k1 (WebAssembly) and @noble/curves sign the same bytes', () => {
  const wasmSign = (digest: Uint8Array, key: Uint8Array) => signDigestWith(wasmSigning, digest, key)
  const nobleSign = (digest: Uint8Array, key: Uint8Array) => signDigestWith(nobleSigning, digest, key)

  it('RFC 6979, low-s, v ∈ {27, 28}: one signature per key and digest, whoever computes it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (digest, secret) => {
          let expected: Uint8Array | undefined
          try {
            expected = nobleSign(digest, secret)
          } catch {
            // zero or ≥ n: not a key, and neither signs with it
            expect(() => wasmSign(digest, secret)).toThrow()
            return
          }
          expect(toHex(wasmSign(digest, secret))).toBe(toHex(expected))
        },
      ),
      { numRuns: 300 },
    )
    expect(toHex(wasmSign(keccak256(new Uint8Array([1])), KEY))).toBe(
      toHex(nobleSign(keccak256(new Uint8Array([1])), KEY)),
    )
    expect(() => wasmSign(new Uint8Array(32), new Uint8Array(32))).toThrow()
    expect(() => wasmSign(new Uint8Array(31), KEY)).toThrow()
    expect(() => nobleSign(new Uint8Array(31), KEY)).toThrow()
  })
})
