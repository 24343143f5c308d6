import { secp256k1 } from '@noble/curves/secp256k1.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from './bytes.ts'
import { keccak256 } from './hash.ts'
import { addressFromPrivateKey, recoverAddress, signDigest, signerKey, verifiesFrom } from './signature.ts'

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

describe('verifiesFrom: a known signer checked without recovery', () => {
  const key = keccak256(new Uint8Array([42]))
  const other = keccak256(new Uint8Array([43]))
  const digest0 = keccak256(new Uint8Array([1]))
  const known = signerKey(digest0, signDigest(digest0, key))
  if (typeof known === 'string') throw new Error('setup')

  it('accepts exactly what recoverAddress attributes to that signer', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 64 }),
        (digest, mine, tamper, at) => {
          const sig = signDigest(digest, mine ? key : other)
          if (tamper === 1) sig[64] = sig[64] === 27 ? 28 : 27
          else if (tamper === 2) sig[at] = sig[at]! ^ 1
          else if (tamper === 3) sig[64] = 29
          else if (tamper === 4) sig.fill(0, 0, 32)
          expect(verifiesFrom(digest, sig, known)).toBe(recoverAddress(digest, sig) === known.address)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('refuses the high-s twin and wrong lengths, as recoverAddress does', () => {
    const sig = signDigest(digest0, key)
    let s = 0n
    for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(sig[i]!)
    const twin = sig.slice()
    let hs = N - s
    for (let i = 63; i >= 32; i--) {
      twin[i] = Number(hs & 0xffn)
      hs >>= 8n
    }
    twin[64] = sig[64] === 27 ? 28 : 27
    expect(verifiesFrom(digest0, twin, known)).toBe(false)
    expect(verifiesFrom(digest0, sig.subarray(0, 64), known)).toBe(false)
    expect(verifiesFrom(digest0, sig, known)).toBe(true)
  })
})
