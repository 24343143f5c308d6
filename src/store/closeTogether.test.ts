import { type Hash, zeroHash } from 'viem'
import { describe, expect, it } from 'vitest'
import { ChannelStatus } from '../chain/types.ts'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import { type CloseChain, closedTogether, closeStepOf, READ_ONLY_TEXT } from './closeTogether.ts'

const tc = makeTestChannel({ participants: 3 })
const CHAIN = tc.channel.config.chainId
const open: CloseChain = { phase: 'open', version: 0n, closedTogether: false }
const HASH = `0x${'12'.repeat(32)}` as Hash

function network() {
  const reps = tc.members.map(
    (m) =>
      new Replica(tc.channel, {
        ignoreForcedQueue: true,
        author: { index: m.index, sessionKey: m.sessionKey },
        deposits: testDeposits(3, 2, 1_000n),
        leaderWaitMs: 0,
      }),
  )
  reps[0]!.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 5n })
  reps[0]!.submit({ tag: OpTag.CheckpointRequest })
  runToQuiet(reps)
  return reps
}

/** the step participant `me` sees, with defaults for an open channel, a writer tab and a wallet on the right chain */
const stepAt = (reps: Replica[], me: number, over: Partial<Parameters<typeof closeStepOf>[1]> = {}) =>
  closeStepOf(reps[me]!, {
    me,
    chain: open,
    readOnly: false,
    walletChain: Number(CHAIN),
    channelChain: CHAIN,
    submitted: undefined,
    ...over,
  })

describe('closeStep: offered → waiting for k of n → ready → submitted → closed', () => {
  it('walks the whole way as the Close ops arrive and the chain answers', () => {
    const reps = network()
    expect(stepAt(reps, 0)).toEqual({ phase: 'offered', version: 1n })
    reps[0]!.submit(reps[0]!.closeOp(1n))
    runToQuiet(reps)
    expect(stepAt(reps, 0)).toMatchObject({ phase: 'waiting', signed: [0], missing: [1, 2], mine: true })
    // Bob has not signed: he may (no signBlocked); the close is not ready for anyone
    const bob = stepAt(reps, 1)
    expect(bob).toMatchObject({ phase: 'waiting', version: 1n, requestedBy: 0, mine: false })
    expect(bob).not.toHaveProperty('signBlocked')
    reps[1]!.submit(reps[1]!.closeOp(1n))
    runToQuiet(reps)
    // Carol has not signed: 2 of 3, still waiting for everyone, her included
    for (const me of [0, 1, 2])
      expect(stepAt(reps, me)).toMatchObject({ phase: 'waiting', signed: [0, 1], missing: [2] })
    expect(stepAt(reps, 2)).toMatchObject({ mine: false })
    reps[2]!.submit(reps[2]!.closeOp(1n))
    runToQuiet(reps)
    for (const me of [0, 1, 2])
      expect(stepAt(reps, me)).toEqual({ phase: 'ready', version: 1n, participants: 3 })
    expect(stepAt(reps, 1, { submitted: { version: 1n, hash: HASH } })).toEqual({
      phase: 'submitted',
      version: 1n,
      hash: HASH,
    })
    const closed: CloseChain = { phase: 'finalized', version: 1n, closedTogether: true }
    for (const me of [0, 1, 2])
      expect(stepAt(reps, me, { chain: closed })).toEqual({ phase: 'closed', version: 1n })
  })

  it('a newer checkpoint supersedes the close: nobody signs or submits it, the newer one is offered', () => {
    const reps = network()
    for (const r of reps) r.submit(r.closeOp(1n))
    runToQuiet(reps)
    expect(stepAt(reps, 0).phase).toBe('ready')
    reps[2]!.submit({ tag: OpTag.Transfer, to: 0, token: 1, amount: 3n })
    runToQuiet(reps)
    // the transfer is final but in no checkpoint yet: nothing to close at
    expect(stepAt(reps, 0)).toEqual({
      phase: 'unavailable',
      reason:
        'the close at v1 was superseded: trades after v1 are not in a checkpoint yet: ask for one (Checkpoint now), then close at it',
    })
    reps[2]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    expect(stepAt(reps, 0)).toEqual({ phase: 'offered', version: 2n, supersedes: 1n })
  })

  it('a read-only tab sees the progress but cannot sign; submitting is a wallet action and stays open to it', () => {
    const reps = network()
    expect(stepAt(reps, 1, { readOnly: true })).toEqual({
      phase: 'offered',
      version: 1n,
      signBlocked: READ_ONLY_TEXT,
    })
    reps[0]!.submit(reps[0]!.closeOp(1n))
    runToQuiet(reps)
    expect(stepAt(reps, 1, { readOnly: true })).toMatchObject({
      phase: 'waiting',
      signBlocked: READ_ONLY_TEXT,
    })
    for (const i of [1, 2]) reps[i]!.submit(reps[i]!.closeOp(1n))
    runToQuiet(reps)
    expect(stepAt(reps, 1, { readOnly: true })).toEqual({ phase: 'ready', version: 1n, participants: 3 })
  })

  it('a wallet on another chain cannot submit; the reason names both chains', () => {
    const reps = network()
    for (const r of reps) r.submit(r.closeOp(1n))
    runToQuiet(reps)
    expect(stepAt(reps, 0, { walletChain: 1 })).toEqual({
      phase: 'ready',
      version: 1n,
      participants: 3,
      submitBlocked: `your wallet is on chain 1, the channel is on chain ${CHAIN}: switch networks first`,
    })
  })

  it('what the chain allows: not read yet, a proposal at a newer version, after the window, finalized by a proposal', () => {
    const reps = network()
    expect(stepAt(reps, 0, { chain: undefined })).toEqual({
      phase: 'unavailable',
      reason: 'reading the chain…',
    })
    expect(stepAt(reps, 0, { chain: { phase: 'disputing', version: 2n, closedTogether: false } })).toEqual({
      phase: 'offered',
      version: 1n,
      signBlocked: 'v2 is proposed on chain: a close must be at that version or newer',
    })
    expect(stepAt(reps, 0, { chain: { phase: 'disputing', version: 1n, closedTogether: false } })).toEqual({
      phase: 'offered',
      version: 1n,
    })
    expect(stepAt(reps, 0, { chain: { phase: 'finalizable', version: 1n, closedTogether: false } })).toEqual({
      phase: 'unavailable',
      reason: 'the dispute window has ended: finalize instead',
    })
    expect(stepAt(reps, 0, { chain: { phase: 'finalized', version: 1n, closedTogether: false } })).toEqual({
      phase: 'unavailable',
      reason: 'settlement finalized v1: each participant claims',
    })
  })

  it('before any checkpoint there is nothing to close at', () => {
    const reps = tc.members.map(
      (m) =>
        new Replica(tc.channel, {
          ignoreForcedQueue: true,
          author: { index: m.index, sessionKey: m.sessionKey },
          leaderWaitMs: 0,
        }),
    )
    expect(stepAt(reps, 0)).toEqual({
      phase: 'unavailable',
      reason: 'no checkpoint yet: ask for one (Checkpoint now), then close at it',
    })
  })
})

describe('closedTogether', () => {
  const digest = `0x${'ab'.repeat(32)}` as const
  const root = `0x${'cd'.repeat(32)}` as const
  const info = (status: number, d: `0x${string}`, r: `0x${string}`) =>
    ({ status, checkpoint: { digest: d, balancesRoot: r } }) as Parameters<typeof closedTogether>[0]
  it('is a finalized channel with a digest and no root: a proposal, an escape or a close that kept its root is not', () => {
    expect(closedTogether(info(ChannelStatus.Finalized, digest, zeroHash))).toBe(true)
    expect(closedTogether(info(ChannelStatus.Finalized, digest, root))).toBe(false)
    expect(closedTogether(info(ChannelStatus.Finalized, zeroHash, zeroHash))).toBe(false)
    expect(closedTogether(info(ChannelStatus.Closing, digest, zeroHash))).toBe(false)
  })
})
