import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { ChannelStatus } from '../types.ts'
import { type ChainView, decideChallenge, type HeldView } from './decide.ts'

const digest = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`

const chain = (over: Partial<ChainView> = {}): ChainView => ({
  status: ChannelStatus.Closing,
  version: 1n,
  digest: digest(0x50),
  deadline: 10_000n,
  now: 6_400n,
  threshold: 2,
  depositCount: 4n,
  forcedCount: 0n,
  ...over,
})
const held = (over: Partial<HeldView> = {}): HeldView => ({
  version: 2n,
  digest: digest(0x90),
  validSignatures: 3,
  depositCount: 4n,
  forcedCount: 0n,
  ...over,
})

describe('decideChallenge', () => {
  it('does nothing while nothing is proposed, for an unknown channel, or once finalized', () => {
    const zero = { version: 0n, digest: digest(0), deadline: 0n }
    expect(decideChallenge(chain({ status: ChannelStatus.Open, ...zero }), held())).toEqual({
      action: 'none',
      reason: 'no-proposal',
    })
    expect(decideChallenge(chain({ status: ChannelStatus.None, ...zero }), held())).toEqual({
      action: 'none',
      reason: 'unknown-channel',
    })
    expect(decideChallenge(chain({ status: ChannelStatus.Finalized }), held())).toEqual({
      action: 'none',
      reason: 'finalized',
    })
    // finalized at an older version than held: too late for anything, and not a challenge either
    expect(decideChallenge(chain({ status: ChannelStatus.Finalized, now: 20_000n }), held()).action).toBe(
      'none',
    )
  })

  it('challenges an older proposal (or exit) with the held version before the deadline', () => {
    expect(decideChallenge(chain(), held())).toEqual({
      action: 'challenge',
      version: 2n,
      secondsLeft: 3_600n,
      urgent: false,
    })
    // the last second still counts (the contract accepts at now < deadline); within the margin it is urgent
    expect(decideChallenge(chain({ now: 9_999n }), held(), 60n)).toEqual({
      action: 'challenge',
      version: 2n,
      secondsLeft: 1n,
      urgent: true,
    })
  })

  it('challenges an escape (version 0) with any certified checkpoint', () => {
    expect(decideChallenge(chain({ version: 0n, digest: digest(0) }), held({ version: 1n })).action).toBe(
      'challenge',
    )
  })

  it('does nothing when the chain already has the held checkpoint or a newer one', () => {
    expect(decideChallenge(chain({ version: 2n, digest: digest(0x90) }), held())).toEqual({
      action: 'none',
      reason: 'up-to-date',
    })
    expect(decideChallenge(chain({ version: 3n }), held())).toEqual({ action: 'none', reason: 'chain-newer' })
    // also after the deadline: nothing was lost
    expect(decideChallenge(chain({ version: 3n, now: 10_000n }), held()).action).toBe('none')
  })

  it('at the same version follows the contract: only a lower digest replaces', () => {
    expect(decideChallenge(chain({ version: 2n, digest: digest(0x10) }), held())).toEqual({
      action: 'none',
      reason: 'chain-digest-lower',
    })
    expect(decideChallenge(chain({ version: 2n, digest: digest(0xa0) }), held()).action).toBe('challenge')
  })

  it('reports too late once the deadline has passed', () => {
    expect(decideChallenge(chain({ now: 10_000n }), held())).toEqual({ action: 'too-late', version: 2n })
    expect(decideChallenge(chain({ now: 12_345n }), held())).toEqual({ action: 'too-late', version: 2n })
  })

  it('never proposes what the contract would refuse: no quorum, or records the contract does not have', () => {
    expect(decideChallenge(chain(), held({ validSignatures: 1 }))).toEqual({
      action: 'none',
      reason: 'held-lacks-quorum',
    })
    expect(decideChallenge(chain({ threshold: 3 }), held({ validSignatures: 2 })).action).toBe('none')
    expect(decideChallenge(chain(), held({ depositCount: 5n }))).toEqual({
      action: 'none',
      reason: 'held-counts-unknown-records',
    })
    expect(decideChallenge(chain(), held({ forcedCount: 1n })).action).toBe('none')
  })

  it('skips a held checkpoint that leaves out an overdue forced record (the contract would refuse it)', () => {
    // chain() has now 6,400: a record due at 6,400 is overdue, one due at 6,401 not yet
    expect(decideChallenge(chain({ forcedCount: 1n }), held({ excludedForcedDueAt: 6_400n }))).toEqual({
      action: 'none',
      reason: 'held-misses-overdue-forced',
    })
    expect(decideChallenge(chain({ forcedCount: 1n }), held({ excludedForcedDueAt: 6_401n })).action).toBe(
      'challenge',
    )
  })

  it('does nothing when it holds nothing', () => {
    expect(decideChallenge(chain(), undefined)).toEqual({ action: 'none', reason: 'nothing-held' })
  })
})
