import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { ChannelStatus } from '../chain/types.ts'
import type { ChainView } from '../chain/watchtower/decide.ts'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import { type TowerAttempt, towerStep, towerText } from './watchtower.ts'

const digest = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`
const chain = (over: Partial<ChainView> = {}): ChainView => ({
  status: ChannelStatus.Closing,
  version: 1n,
  digest: digest(0x50),
  deadline: 10_000n,
  now: 6_400n,
  threshold: 2,
  depositCount: 2n,
  forcedCount: 0n,
  ...over,
})
const signed = (version: bigint, d: Hex, signers: number[]): SignedCheckpoint => ({
  version,
  leader: new Uint8Array(32),
  time: 0n,
  depositCount: 2n,
  forcedCount: 0n,
  stateRoot: new Uint8Array(32),
  balancesRoot: new Uint8Array(32),
  digest: d,
  signatures: new Map(signers.map((i) => [i, new Uint8Array(65)])),
})

describe('the app watchtower', () => {
  it('challenges an older proposal with the newest certified checkpoint, once per proposal', () => {
    const held = signed(2n, digest(0x90), [0, 1])
    const first = towerStep(chain(), held, new Set())
    expect(first.decision).toEqual({ action: 'challenge', version: 2n, secondsLeft: 3_600n, urgent: false })
    expect(first.send).toBe(true)
    // after an attempt (done or failed) the same proposal is not challenged again
    const again = towerStep(chain(), held, new Set([first.key]))
    expect(again.decision.action).toBe('challenge')
    expect(again.send).toBe(false)
    // another stale proposal (a different digest on chain) is a new key: answered again
    const other = towerStep(chain({ digest: digest(0x51) }), held, new Set([first.key]))
    expect(other.key).not.toBe(first.key)
    expect(other.send).toBe(true)
    // urgency by the margin
    expect(towerStep(chain({ now: 9_950n }), held, new Set(), 60n).decision).toMatchObject({ urgent: true })
  })

  it('never sends what the contract would refuse, nor after the deadline, nor when the chain is current', () => {
    const held = signed(2n, digest(0x90), [0, 1])
    // the held checkpoint's signatures count as valid (the core verified them): one signature is below q = 2
    expect(towerStep(chain(), signed(2n, digest(0x90), [0]), new Set()).decision).toEqual({
      action: 'none',
      reason: 'held-lacks-quorum',
    })
    expect(towerStep(chain({ now: 10_000n }), held, new Set())).toMatchObject({
      decision: { action: 'too-late', version: 2n },
      send: false,
    })
    expect(towerStep(chain({ version: 2n, digest: digest(0x90) }), held, new Set()).decision).toEqual({
      action: 'none',
      reason: 'up-to-date',
    })
    expect(towerStep(chain({ version: 3n }), held, new Set()).send).toBe(false)
    expect(towerStep(chain({ status: ChannelStatus.Open, version: 0n }), held, new Set()).send).toBe(false)
    expect(towerStep(chain(), undefined, new Set()).decision).toEqual({
      action: 'none',
      reason: 'nothing-held',
    })
    // credits deposit records the chain does not have (yet)
    expect(towerStep(chain({ depositCount: 1n }), held, new Set()).send).toBe(false)
  })

  it('says in words what it saw and did', () => {
    const held = signed(2n, digest(0x90), [0, 1])
    const step = towerStep(chain(), held, new Set())
    expect(towerText(undefined, undefined)).toBe('watching the chain…')
    expect(towerText(step, undefined)).toContain('v2 would replace')
    const sending: TowerAttempt = { key: step.key, version: 2n, against: 1n, phase: 'sending' }
    expect(towerText(step, sending)).toBe('challenging v1 on chain with v2…')
    const done: TowerAttempt = { ...sending, phase: 'done', tx: '0xabc' }
    // once answered the chain holds v2: the line keeps saying what the tower did
    const after = towerStep(chain({ version: 2n, digest: digest(0x90) }), held, new Set([step.key]))
    expect(towerText(after, done)).toBe('challenged v1 with v2 automatically')
    const failed: TowerAttempt = { ...sending, phase: 'failed', error: 'ChannelSettlementStaleVersion(…)' }
    expect(towerText(step, failed)).toContain('failed: ChannelSettlementStaleVersion')
    // a failure about a proposal that is gone gives way to the current state
    expect(towerText(after, failed)).toBe('the chain holds our newest certified checkpoint')
    expect(towerText(towerStep(chain({ status: ChannelStatus.Finalized }), held, new Set()), undefined)).toBe(
      'settlement finalized',
    )
  })
})
