import { describe, expect, it } from 'vitest'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import {
  checkpointCovers,
  escapeAfterMs,
  escapeDue,
  payoutFocus,
  payoutsOf,
  refundable,
} from './settlementPlan.ts'

describe('settlement plan', () => {
  const records = [0n, 1n, 2n, 3n].map((index) => ({
    index,
    participant: Number(index) % 2,
    token: 0,
    amount: 5n,
  }))

  it('refundable: only after finalization, only records the final checkpoint does not credit, not twice', () => {
    expect(refundable(records, false, 2n, new Set())).toEqual([])
    expect(refundable(records, true, 2n, new Set()).map((r) => r.index)).toEqual([2n, 3n])
    expect(refundable(records, true, 2n, new Set([3n])).map((r) => r.index)).toEqual([2n])
    expect(refundable(records, true, 4n, new Set())).toEqual([])
    // an escape finalizes with no checkpoint (depositCount 0): every record is refundable
    expect(refundable(records, true, 0n, new Set())).toHaveLength(4)
  })

  it('escape: offered only while open and after a long time without a quorum checkpoint', () => {
    const after = escapeAfterMs(60n)
    expect(after).toBe(10 * 60_000)
    expect(escapeAfterMs(3600n)).toBe(36_000_000)
    const base = { open: true, liveSinceMs: 1_000, disputeWindowSeconds: 60n }
    expect(escapeDue({ ...base, lastCertifiedMs: undefined, nowMs: 1_000 + after - 1 }).due).toBe(false)
    expect(escapeDue({ ...base, lastCertifiedMs: undefined, nowMs: 1_000 + after })).toEqual({
      due: true,
      sinceMs: 1_000,
    })
    // a recent certified checkpoint resets the clock
    expect(escapeDue({ ...base, lastCertifiedMs: 500_000, nowMs: 1_000 + after }).due).toBe(false)
    // never once settlement started
    expect(escapeDue({ ...base, open: false, lastCertifiedMs: undefined, nowMs: 1e12 }).due).toBe(false)
  })
})

describe('payoutsOf', () => {
  it('is what each participant holds, per token, in the checkpoint every replica computed', () => {
    const tc = makeTestChannel({ participants: 3, label: 'payouts' })
    const replicas = tc.members.map(
      (m) =>
        new Replica(tc.channel, {
          ignoreForcedQueue: true,
          deposits: testDeposits(3, 2, 1000n),
          author: { index: m.index, sessionKey: m.sessionKey },
          leaderWaitMs: 0,
          checkpointIntervalMs: 1e15,
        }),
    )
    runToQuiet(replicas)
    replicas[1]!.submit({ tag: OpTag.Transfer, to: 2, token: 1, amount: 250n })
    replicas[0]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(replicas)
    expect(replicas[0]!.latestCheckpointVersion).toBeGreaterThanOrEqual(1n)
    const v = replicas[0]!.latestCheckpointVersion
    for (const r of replicas)
      expect(payoutsOf(r, v)).toEqual([
        [1000n, 1000n],
        [1000n, 750n],
        [1000n, 1250n],
      ])
    expect(payoutsOf(replicas[0]!, v + 1n)).toBeUndefined()
    expect(payoutsOf(replicas[0]!, 0n)).toBeUndefined()
    // asked again (every render of the Settlement panel): the same payouts, without replaying the fold again
    let replays = 0
    const r0 = replicas[0]!
    const replay = r0.stateOfCheckpoint.bind(r0)
    r0.stateOfCheckpoint = (version) => {
      replays++
      return replay(version)
    }
    const first = payoutsOf(r0, v)
    expect(payoutsOf(r0, v)).toBe(first)
    expect(replays).toBe(0)
    expect(payoutsOf(r0, v - 1n === 0n ? v : v - 1n)).toBeDefined()
  })

  it('checkpointCovers: a checkpoint covers a participant until one of its balances changes in the final state', () => {
    const tc = makeTestChannel({ participants: 3, label: 'covers' })
    const replicas = tc.members.map(
      (m) =>
        new Replica(tc.channel, {
          ignoreForcedQueue: true,
          deposits: testDeposits(3, 2, 1000n),
          author: { index: m.index, sessionKey: m.sessionKey },
          leaderWaitMs: 0,
          checkpointIntervalMs: 1e15,
        }),
    )
    runToQuiet(replicas)
    replicas[0]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(replicas)
    const v = replicas[0]!.latestCheckpointVersion
    for (const p of [0, 1, 2]) expect(checkpointCovers(replicas[0]!, v, p)).toBe(true)
    // 1 pays 2 after the checkpoint: the checkpoint no longer covers them, still covers 0
    replicas[1]!.submit({ tag: OpTag.Transfer, to: 2, token: 1, amount: 250n })
    runToQuiet(replicas)
    expect(checkpointCovers(replicas[0]!, v, 0)).toBe(true)
    expect(checkpointCovers(replicas[0]!, v, 1)).toBe(false)
    expect(checkpointCovers(replicas[0]!, v, 2)).toBe(false)
    expect(checkpointCovers(replicas[0]!, v + 1n, 0)).toBe(false)
  })
})

describe('payoutFocus: the checkpoint whose payouts the panel shows is the one the next action is about', () => {
  it('finalized: the final one if known here; finalizable: the pending one; else what may be proposed, else the pending one', () => {
    expect(payoutFocus({ phase: 'finalized', known: 4n, proposable: 5n })).toEqual({
      title: 'Finalized v4: each participant claims',
      version: 4n,
    })
    // finalized with a checkpoint not known here (or a close together that kept no root): nothing from the replica
    expect(payoutFocus({ phase: 'finalized', known: undefined, proposable: 5n })).toBeUndefined()
    expect(payoutFocus({ phase: 'finalizable', known: 4n, proposable: undefined })?.title).toBe(
      'Finalize pays out v4: each participant will receive',
    )
    expect(payoutFocus({ phase: 'disputing', known: 4n, proposable: 6n })).toEqual({
      title: 'If v6 is proposed and finalizes, each participant will receive',
      version: 6n,
    })
    expect(payoutFocus({ phase: 'disputing', known: 4n, proposable: undefined })?.version).toBe(4n)
    expect(payoutFocus({ phase: 'open', known: undefined, proposable: undefined })).toBeUndefined()
  })
})
