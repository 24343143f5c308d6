import { describe, expect, it } from 'vitest'
import type { SessionKeyRange } from '../chain/readers/getSessionKeyRange.ts'
import { toHex } from '../core/bytes.ts'
import { keccak256 } from '../core/hash.ts'
import { addressFromPrivateKey, signDigest } from '../core/signature.ts'
import { createKeyRangeCache } from './keyRangeCache.ts'

const P = '0x00000000000000000000000000000000000000a1' as const
const ZERO = '0x0000000000000000000000000000000000000000' as const
const range = (participant: string, untilVersion = 0n): SessionKeyRange => ({
  participant: participant as `0x${string}`,
  fromSeq: 1n,
  untilSeq: untilVersion === 0n ? 0n : 7n,
  fromVersion: 0n,
  untilVersion,
})

describe('createKeyRangeCache: what the Settlement panel reads again on a new block', () => {
  it('reads an unknown key every time, a current key again after maxAge, a replaced key once', async () => {
    let t = 0
    const cache = createKeyRangeCache({ maxAgeMs: 10_000, now: () => t })
    let reads = 0
    let onChain = range(ZERO)
    const read = async () => {
      reads++
      return onChain
    }
    const key = '0x00000000000000000000000000000000000000b2' as const
    // a rotation not mined yet: the contract does not know the key, so every block asks again
    expect((await cache.range(key, read)).participant).toBe(ZERO)
    expect((await cache.range(key, read)).participant).toBe(ZERO)
    expect(reads).toBe(2)
    // mined: known from the next read on, and kept
    onChain = range(P)
    expect((await cache.range(key, read)).participant).toBe(P)
    t += 9_000
    expect((await cache.range(key, read)).participant).toBe(P)
    expect(reads).toBe(3)
    // the participant rotated again: its old key closes; the open-ended range is read again after maxAge
    onChain = range(P, 5n)
    t += 1_000
    expect((await cache.range(key, read)).untilVersion).toBe(5n)
    expect(reads).toBe(4)
    // closed ranges never change: kept whatever the age
    t += 1_000_000
    expect((await cache.range(key, read)).untilVersion).toBe(5n)
    expect(reads).toBe(4)
  })

  it('recovers each signer once and reports a signature no key recovers as empty', () => {
    const cache = createKeyRangeCache()
    const sk = keccak256(new TextEncoder().encode('a session key'))
    const digest = keccak256(new TextEncoder().encode('a checkpoint'))
    const sig = signDigest(digest, sk)
    const signer = cache.signer(toHex(digest), sig)
    expect(signer.toLowerCase()).toBe(addressFromPrivateKey(sk).toLowerCase())
    expect(cache.signer(toHex(digest), sig)).toBe(signer)
    const bad = sig.slice()
    bad[64] = 5
    expect(cache.signer(toHex(digest), bad)).toBe('')
  })
})
