import { describe, expect, it } from 'vitest'
import { SettlementRevertedError } from '../chain/errors.ts'
import { OpTag } from '../core/ops.ts'
import { Reject } from '../core/reasons.ts'
import { ChannelState } from '../core/state.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { forcedPreview, forcedStatus, forceSubmitError, waitingOwnBlocks } from './forceOnChain.ts'

const reverted = (errorName: string, args: unknown[], argNames: string[]) =>
  new SettlementRevertedError({
    errorName,
    args,
    argNames,
    data: undefined,
    functionName: 'forceInclude',
    contractAddress: undefined,
    sender: undefined,
    cause: undefined,
  })

describe('forcing an op on chain', () => {
  it('a record is waiting until a quorum attested it, included while pending, then final', () => {
    expect(forcedStatus(2n, { forcedCount: 2n }, { forcedCount: 1n })).toBe('waiting')
    expect(forcedStatus(1n, { forcedCount: 2n }, { forcedCount: 1n })).toBe('included')
    expect(forcedStatus(0n, { forcedCount: 2n }, { forcedCount: 1n })).toBe('final')
  })

  it('previews the fold’s verdict on the op as the participant’s own, leaving the state alone', () => {
    const { channel } = makeTestChannel({ participants: 3 })
    const state = new ChannelState(channel)
    state.creditGenesis(testDeposits(3, 2, 100n))
    const transfer = { tag: OpTag.Transfer, to: 1, token: 1, amount: 60n } as const
    expect(forcedPreview(state, 0, transfer)).toBe(Reject.None)
    expect(forcedPreview(state, 0, { ...transfer, amount: 101n })).toBe(Reject.InsufficientFunds)
    expect(forcedPreview(state, 0, { tag: OpTag.Withdraw, token: 0, amount: 100n })).toBe(Reject.None)
    // nothing moved
    expect([state.holdings(0, 1), state.holdings(1, 1), state.holdings(0, 0)]).toEqual([100n, 100n, 100n])
  })

  it('words the per-participant limit with when to retry, and a closed channel', () => {
    const limit = reverted(
      'ChannelSettlementForcedOpLimit',
      ['0x01', '0x02', 16n, 1_800_000_000n],
      ['channelId', 'participant', 'max', 'retryAt'],
    )
    expect(forceSubmitError(limit)).toBe(
      'limit reached: at most 16 forced ops per participant per window; retry after 2027-01-15T08:00:00Z',
    )
    expect(forceSubmitError(reverted('ChannelSettlementChannelNotOpen', ['0x01'], ['channelId']))).toMatch(
      /no longer open/,
    )
    expect(forceSubmitError(new Error('User rejected the request.'))).toBeUndefined()
  })
})

describe('own blocks waiting for finality', () => {
  it('measures each own block with ops from when it was first seen, and forgets it once final', () => {
    const op = { op: { tag: OpTag.Transfer, to: 1, token: 0, amount: 1n } as const }
    const row = (id: string, author: number, seq: number, final: boolean, ops = [op]) => ({
      id: id as `0x${string}`,
      author,
      seq,
      final,
      ops,
    })
    const seen = new Map<`0x${string}`, number>()
    const blocks = [
      row('0x02', 0, 2, false),
      row('0x01', 0, 1, false),
      row('0x03', 1, 1, false),
      row('0x04', 0, 3, false, []),
    ]
    expect(waitingOwnBlocks(blocks, 0, seen, 1_000)).toEqual([
      { seq: 1, ops: 1, waitedMs: 0 },
      { seq: 2, ops: 1, waitedMs: 0 },
    ])
    expect(waitingOwnBlocks(blocks, 0, seen, 31_000).map((b) => b.waitedMs)).toEqual([30_000, 30_000])
    const later = [row('0x01', 0, 1, true), row('0x02', 0, 2, false)]
    expect(waitingOwnBlocks(later, 0, seen, 32_000)).toEqual([{ seq: 2, ops: 1, waitedMs: 31_000 }])
    expect([...seen.keys()]).toEqual(['0x02'])
  })
})
