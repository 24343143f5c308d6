import { describe, expect, it } from 'vitest'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { ChannelSession } from './session.ts'
import {
  endorsePending,
  fullySigned,
  proposable,
  type SettlementContext,
  signCurrentCheckpoint,
} from './settlement.ts'

const tc = makeTestChannel({ participants: 3, label: 'settle' })
const deposits = testDeposits(3, 2, 1000n)

/** Three participants whose sealed blocks reach each other at once. */
function network() {
  const replicas = tc.members.map(
    (m) => new Replica(tc.channel, { deposits, author: { index: m.index, sessionKey: m.sessionKey } }),
  )
  const ctxs: SettlementContext[] = replicas.map((replica, me) => ({
    replica,
    me,
    contract: tc.channel.config.verifyingContract,
    session: new ChannelSession(
      replica,
      {
        now: () => 0,
        persist: async () => {},
        publish: (bytes) => {
          for (const r of replicas) if (r !== replica) r.receive(bytes)
        },
      },
      1000,
    ),
  }))
  const close = () => {
    for (const c of ctxs) c.session.close()
  }
  return { replicas, ctxs, close }
}

describe('checkpoint co-signing', () => {
  it('co-signs a pending proposal, then the final checkpoint until everyone signed it (emergency exit needs all n)', async () => {
    const { replicas, ctxs, close } = network()
    ctxs[0]!.session.submit({ tag: OpTag.Deposit, depositIndex: 0n })
    await ctxs[0]!.session.flush()
    const { how } = await signCurrentCheckpoint(ctxs[0]!)
    expect(how).toBe('signed')
    expect(proposable(replicas[0]!)).toBeUndefined()
    // B co-signs: 2 of 3 is the threshold, the checkpoint is final everywhere
    expect(endorsePending(ctxs[1]!)).toBe(1)
    await ctxs[1]!.session.flush()
    for (const r of replicas) expect(r.finalCheckpoints.length).toBe(1)
    expect(fullySigned(replicas[0]!)).toBeUndefined()
    // C co-signs the final checkpoint too: now every participant has, which is what an exit alone needs
    expect(endorsePending(ctxs[2]!)).toBe(1)
    await ctxs[2]!.session.flush()
    expect(fullySigned(replicas[0]!)?.signatures.size).toBe(3)
    // nothing left to sign; a second click is refused instead of signing a competing checkpoint
    expect(endorsePending(ctxs[2]!)).toBe(0)
    close()
  })

  it('signs the pending proposal for the version instead of a competing one', async () => {
    const { ctxs, close } = network()
    ctxs[0]!.session.submit({ tag: OpTag.Deposit, depositIndex: 0n })
    await signCurrentCheckpoint(ctxs[0]!)
    const second = await signCurrentCheckpoint(ctxs[1]!)
    expect(second.how).toBe('endorsed')
    expect(second.checkpoint.version).toBe(1n)
    // v1 is final now (2 of 3): the next click starts v2, and one more is refused, not a competing v2
    const third = await signCurrentCheckpoint(ctxs[1]!)
    expect([third.how, third.checkpoint.version]).toEqual(['signed', 2n])
    await expect(signCurrentCheckpoint(ctxs[1]!)).rejects.toThrow(/already signed v2/)
    close()
  })
})
