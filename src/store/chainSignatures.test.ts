import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import type { Hex } from '../core/bytes.ts'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import { chainReadiness, readinessText, type SignerOnChain, withChainSignatures } from './chainSignatures.ts'

const addr = (n: number): Address => `0x${n.toString(16).padStart(40, '0')}`
const participants = [addr(0xa0), addr(0xa1), addr(0xa2)]
const sig = (n: number) => new Uint8Array(65).fill(n)
const cp = (version: bigint, signers: number[]): SignedCheckpoint => ({
  version,
  digest: `0x${'ab'.repeat(32)}` as Hex,
  leader: new Uint8Array(32),
  time: 0n,
  depositCount: 0n,
  forcedCount: 0n,
  stateRoot: new Uint8Array(32),
  balancesRoot: new Uint8Array(32),
  signatures: new Map(signers.map((i) => [i, sig(i + 1)])),
})
/** a key the contract holds for participant i from fromVersion (until untilVersion, 0: open-ended) */
const known = (i: number, fromVersion = 0n, untilVersion = 0n): SignerOnChain => ({
  key: addr(0xb0 + i) as Hex,
  range: { participant: participants[i]!, fromSeq: 0n, untilSeq: 0n, fromVersion, untilVersion },
})
/** a key whose rotation is in the channel's blocks but not mined: the contract knows nothing of it */
const unknown = (i: number): SignerOnChain => ({
  key: addr(0xc0 + i) as Hex,
  range: { participant: addr(0), fromSeq: 0n, untilSeq: 0n, fromVersion: 0n, untilVersion: 0n },
})
const names = (i: number) => ['Alice', 'Bob', 'Carol'][i]!

describe('chainReadiness', () => {
  it('keeps every signature when the contract holds every key', () => {
    const r = chainReadiness(cp(3n, [0, 1, 2]), new Map([0, 1, 2].map((i) => [i, known(i)])), participants, 2)
    expect(r.ready).toBe(true)
    expect([...r.signatures.keys()]).toEqual([0, 1, 2])
    expect(r.waitingFor).toEqual([])
    expect(readinessText(r, 0, names)).toBeUndefined()
  })

  it('with my rotation not mined yet: waits when the others alone are no quorum, and says so', () => {
    const signers = new Map([
      [0, unknown(0)],
      [1, known(1)],
    ])
    const r = chainReadiness(cp(3n, [0, 1]), signers, participants, 2)
    expect(r.ready).toBe(false)
    expect(r.waitingFor).toEqual([0])
    expect([...r.signatures.keys()]).toEqual([1])
    expect(readinessText(r, 0, names)).toBe(
      'Waiting for your key rotation to confirm on chain: v3 has 1 of the 2 signatures the contract needs.',
    )
    // seen from Bob: Alice's rotation
    expect(readinessText(r, 1, names)).toBe(
      "Waiting for Alice's key rotation to confirm on chain: v3 has 1 of the 2 signatures the contract needs.",
    )
  })

  it('proposes without a pending rotation’s signature when the others are a quorum', () => {
    const signers = new Map([
      [0, unknown(0)],
      [1, known(1)],
      [2, known(2)],
    ])
    const checkpoint = cp(3n, [0, 1, 2])
    const r = chainReadiness(checkpoint, signers, participants, 2)
    expect(r.ready).toBe(true)
    expect(r.waitingFor).toEqual([0])
    const sent = withChainSignatures(checkpoint, r)
    expect([...sent.signatures.keys()]).toEqual([1, 2])
    // the checkpoint itself is untouched
    expect(checkpoint.signatures.size).toBe(3)
  })

  it('refuses a replaced key past its range, a key of another participant, and an unrecoverable signature', () => {
    const signers = new Map<number, SignerOnChain | null>([
      [0, known(0, 0n, 3n)], // rotated away from at v3: signs only below
      [1, known(2)], // Carol's key filed as Bob's
      [2, null],
    ])
    const r = chainReadiness(cp(3n, [0, 1, 2]), signers, participants, 2)
    expect(r.ready).toBe(false)
    expect(r.refused).toEqual([0, 1, 2])
    expect(r.waitingFor).toEqual([])
    expect(readinessText(r, 0, names)).toMatch(/refuses the keys of Alice, Bob, Carol/)
    // below the rotation the old key still counts
    expect(chainReadiness(cp(2n, [0]), signers, participants, 1).ready).toBe(true)
  })

  it('counts a signature whose key was not read yet as waiting, never as sendable', () => {
    const r = chainReadiness(cp(3n, [0, 1]), new Map([[1, known(1)]]), participants, 2)
    expect(r.ready).toBe(false)
    expect(r.waitingFor).toEqual([0])
  })

  it('a readiness for another digest leaves the checkpoint as it is', () => {
    const r = chainReadiness(cp(3n, [1]), new Map([[1, known(1)]]), participants, 1)
    const other = { ...cp(4n, [0, 1]), digest: `0x${'cd'.repeat(32)}` as Hex }
    expect(withChainSignatures(other, r)).toBe(other)
  })
})
