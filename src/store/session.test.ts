import { describe, expect, it } from 'vitest'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { ChannelSession } from './session.ts'

const tc = makeTestChannel({ participants: 2, label: 'session' })
const deposits = testDeposits(2, 2, 1000n)

describe('ChannelSession (THREATS row 16)', () => {
  it('persists every sealed block before publishing it, in seal order', async () => {
    const events: string[] = []
    let release: (() => void) | undefined
    const replica = new Replica(tc.channel, {
      deposits,
      author: { index: 0, sessionKey: tc.members[0]!.sessionKey },
      batchOps: 1,
    })
    const s = new ChannelSession(replica, {
      now: () => 0,
      persist: (b) =>
        new Promise<void>((resolve) => {
          events.push(`persist-start ${b.length}`)
          release = () => {
            events.push('persisted')
            resolve()
          }
        }),
      publish: () => events.push('published'),
    })
    s.submit({ tag: OpTag.Deposit, depositIndex: 0n })
    s.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n })
    await new Promise((r) => setTimeout(r, 10))
    // the first block is still being persisted: nothing published, the second not even started
    expect(events.filter((e) => e === 'published')).toEqual([])
    expect(events.filter((e) => e.startsWith('persist-start')).length).toBe(1)
    release!()
    await new Promise((r) => setTimeout(r, 10))
    release!()
    await s.flush()
    expect(events.map((e) => e.split(' ')[0])).toEqual([
      'persist-start',
      'persisted',
      'published',
      'persist-start',
      'persisted',
      'published',
    ])
    s.close()
  })

  it('seals on age through its timer', async () => {
    const published: Uint8Array[] = []
    const replica = new Replica(tc.channel, {
      deposits,
      author: { index: 0, sessionKey: tc.members[0]!.sessionKey },
      batchMs: 5,
    })
    const s = new ChannelSession(
      replica,
      { now: () => performance.now(), persist: async () => {}, publish: (b) => published.push(b) },
      2,
    )
    s.submit({ tag: OpTag.Deposit, depositIndex: 0n })
    await new Promise((r) => setTimeout(r, 40))
    expect(published.length).toBe(1)
    expect(replica.pendingOps).toBe(0)
    s.close()
  })
})
