import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import type { SignedCheckpoint } from '../../core/checkpoint.ts'
import { ChannelStatus } from '../types.ts'
import {
  censorshipEvidence,
  censorshipIndexes,
  conflictEvidence,
  decideStaleSlash,
  type ProposalView,
} from './decideSlash.ts'

const digest = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`

const chain = (over: Partial<ProposalView> = {}): ProposalView => ({
  status: ChannelStatus.Closing,
  version: 1n,
  digest: digest(0x50),
  proposer: 0,
  proposedAt: 10_000n,
  forceInclusionDelay: 3600n,
  proposerSlashed: false,
  now: 10_100n,
  evidenceClosesAt: 17_200n,
  threshold: 2,
  ...over,
})
// signed at channel time 6,400 s: exactly the delay before the proposal
const held = { version: 2n, time: 6_400_000n }
const all = new Set([0, 1, 2])

describe('decideStaleSlash', () => {
  it('slashes the proposer of an older version that signed the held quorum checkpoint long enough before', () => {
    expect(decideStaleSlash(chain(), held, all)).toEqual({
      slash: true,
      offender: 0,
      version: 2n,
      against: 1n,
    })
    // after finalization too, while the evidence window is open
    expect(decideStaleSlash(chain({ status: ChannelStatus.Finalized }), held, all).slash).toBe(true)
  })

  it('not when the held checkpoint was signed less than the force-inclusion delay before the proposal', () => {
    expect(decideStaleSlash(chain(), { ...held, time: held.time + 1n }, all)).toEqual({
      slash: false,
      reason: 'too-recent',
    })
  })

  it('not without the proposer among the valid signers, nor without a quorum', () => {
    expect(decideStaleSlash(chain(), held, new Set([1, 2]))).toEqual({
      slash: false,
      reason: 'proposer-did-not-sign',
    })
    expect(decideStaleSlash(chain(), held, new Set([0]))).toEqual({
      slash: false,
      reason: 'held-lacks-quorum',
    })
  })

  it('not when nothing (or an escape) is pending, a non-participant proposed, or the held one is not newer', () => {
    expect(decideStaleSlash(chain({ status: ChannelStatus.Open }), held, all)).toEqual({
      slash: false,
      reason: 'no-proposal',
    })
    expect(decideStaleSlash(chain({ version: 0n }), held, all)).toEqual({
      slash: false,
      reason: 'no-proposal',
    })
    expect(decideStaleSlash(chain({ proposer: undefined }), held, all)).toEqual({
      slash: false,
      reason: 'proposer-not-participant',
    })
    expect(decideStaleSlash(chain({ version: 2n }), held, all)).toEqual({
      slash: false,
      reason: 'held-not-newer',
    })
    expect(decideStaleSlash(chain(), undefined, all)).toEqual({ slash: false, reason: 'held-not-newer' })
  })

  it('not twice, nor once the evidence window closed', () => {
    expect(decideStaleSlash(chain({ proposerSlashed: true }), held, all)).toEqual({
      slash: false,
      reason: 'already-slashed',
    })
    expect(decideStaleSlash(chain({ now: 17_200n }), held, all)).toEqual({
      slash: false,
      reason: 'evidence-window-closed',
    })
  })
})

const cp = (version: bigint, d: number): SignedCheckpoint => ({
  version,
  digest: digest(d),
  leader: new Uint8Array(32),
  time: 0n,
  depositCount: 0n,
  forcedCount: 0n,
  stateRoot: new Uint8Array(32),
  balancesRoot: new Uint8Array(32).fill(d),
  signatures: new Map(),
})
const sig = (n: number) => new Uint8Array(65).fill(n)

describe('conflictEvidence', () => {
  it('finds each participant whose valid signature is on two digests at one version', () => {
    const a = {
      checkpoint: cp(2n, 0x20),
      valid: new Map([
        [0, sig(1)],
        [1, sig(2)],
        [2, sig(3)],
      ]),
    }
    const b = { checkpoint: cp(2n, 0x10), valid: new Map([[1, sig(4)]]) }
    const other = { checkpoint: cp(3n, 0x30), valid: new Map([[0, sig(5)]]) }
    const found = conflictEvidence([a, other, b], () => false)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ offender: 1, version: 2n })
    // the lower digest first, each with the offender's own signature
    expect(found[0]!.a.checkpoint.digest).toBe(digest(0x10))
    expect(found[0]!.a.signature).toEqual(sig(4))
    expect(found[0]!.b.signature).toEqual(sig(2))
  })

  it('nothing across versions, for one digest held twice, or for a participant already slashed', () => {
    const a = { checkpoint: cp(2n, 0x20), valid: new Map([[1, sig(2)]]) }
    const b = { checkpoint: cp(2n, 0x10), valid: new Map([[1, sig(4)]]) }
    expect(conflictEvidence([a, { checkpoint: cp(3n, 0x10), valid: b.valid }], () => false)).toEqual([])
    expect(conflictEvidence([a, { ...a }], () => false)).toEqual([])
    expect(conflictEvidence([a, b], (i) => i === 1)).toEqual([])
  })
})

describe('censorshipEvidence', () => {
  // record 0 at chain time 1,000 s, record 1 at 2,000 s; delay 3,600 s: due from channel times 4,600,000 / 5,600,000 ms
  const times = new Map([
    [0n, 1_000n],
    [1n, 2_000n],
  ])
  const at = (version: bigint, time: bigint, forcedCount: bigint) => ({
    ...cp(version, Number(version)),
    time,
    forcedCount,
  })

  it('each signer of a checkpoint leaving out its first left-out record at or after the due time, newest first', () => {
    const censoring = { checkpoint: at(5n, 4_600_000n, 0n), valid: new Map([[1, sig(1)]]) }
    const newer = {
      checkpoint: at(6n, 5_600_000n, 1n),
      valid: new Map([
        [1, sig(2)],
        [2, sig(3)],
      ]),
    }
    const found = censorshipEvidence(
      [censoring, newer],
      2n,
      (i) => times.get(i),
      3_600n,
      () => false,
    )
    expect(found.map((e) => [e.offender, e.checkpoint.version, e.index])).toEqual([
      [1, 6n, 1n],
      [2, 6n, 1n],
    ])
    expect(found[0]!.signature).toEqual(sig(2))
    expect(censorshipIndexes([censoring, newer], 2n)).toEqual([0n, 1n])
  })

  it('nothing 1 ms before the due time, for an included record, one the chain lacks, an unread time or a slashed signer', () => {
    const early = { checkpoint: at(5n, 4_599_999n, 0n), valid: new Map([[1, sig(1)]]) }
    expect(
      censorshipEvidence(
        [early],
        2n,
        (i) => times.get(i),
        3_600n,
        () => false,
      ),
    ).toEqual([])
    const included = { checkpoint: at(5n, 9_000_000n, 2n), valid: new Map([[1, sig(1)]]) }
    expect(
      censorshipEvidence(
        [included],
        2n,
        (i) => times.get(i),
        3_600n,
        () => false,
      ),
    ).toEqual([])
    const late = { checkpoint: at(5n, 9_000_000n, 0n), valid: new Map([[1, sig(1)]]) }
    expect(
      censorshipEvidence(
        [late],
        0n,
        (i) => times.get(i),
        3_600n,
        () => false,
      ),
    ).toEqual([])
    expect(
      censorshipEvidence(
        [late],
        2n,
        () => undefined,
        3_600n,
        () => false,
      ),
    ).toEqual([])
    expect(
      censorshipEvidence(
        [late],
        2n,
        (i) => times.get(i),
        3_600n,
        (i) => i === 1,
      ),
    ).toEqual([])
    expect(
      censorshipEvidence(
        [late],
        2n,
        (i) => times.get(i),
        3_600n,
        () => false,
      ),
    ).toHaveLength(1)
  })
})
