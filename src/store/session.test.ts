import { describe, expect, it } from 'vitest'
import { decodeBlock } from '../core/block.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { ChannelSession } from './session.ts'

// n = 2, q = 2: our replica's second block needs the other participant's block of round 1
const tc = makeTestChannel({ participants: 2, label: 'session' })
const deposits = testDeposits(2, 2, 1000n)
const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })
const replicaOf = (index: number) =>
  new Replica(tc.channel, {
    deposits,
    author: { index, sessionKey: tc.members[index]!.sessionKey },
    leaderWaitMs: 0,
  })

/** The other participant's round-1 block: what opens round 2 for us. */
function otherRoundOne(): Uint8Array {
  const other = replicaOf(1)
  other.submit(transfer(0, 1n))
  return other.tick(0)!
}

describe('ChannelSession (THREATS row 16)', () => {
  it('persists every sealed block before publishing it, in seal order', async () => {
    const events: string[] = []
    let release: (() => void) | undefined
    const replica = replicaOf(0)
    const s = new ChannelSession(replica, {
      now: () => 0,
      persist: (group) =>
        new Promise<void>((resolve) => {
          events.push(`persist-start ${group.length}`)
          release = () => {
            events.push('persisted')
            resolve()
          }
        }),
      publish: () => events.push('published'),
    })
    // round 1 is open: the first submit seals at once
    s.submit(transfer(1, 1n))
    expect(replica.latest[0]?.round).toBe(1)
    // (its commit starts once the task that sealed it ends: blocks sealed in one task are persisted together)
    await new Promise((r) => setTimeout(r, 0))
    // the other participant's round-1 block opens round 2: the next submit seals our second block
    replica.receive(otherRoundOne())
    s.submit(transfer(1, 2n))
    expect(replica.latest[0]?.round).toBe(2)
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

  it('persists the blocks sealed while a commit is under way as one group, then publishes them in seal order', async () => {
    const events: string[] = []
    const releases: (() => void)[] = []
    const replica = replicaOf(0)
    const other = replicaOf(1)
    const s = new ChannelSession(replica, {
      now: () => 0,
      persist: (group) =>
        new Promise<void>((resolve) => {
          events.push(`persist ${group.map((b) => decodeBlock(b).seq).join(',')}`)
          releases.push(() => {
            events.push('persisted')
            resolve()
          })
        }),
      publish: (b) => events.push(`publish ${decodeBlock(b).seq}`),
    })
    s.submit(transfer(1, 1n))
    await new Promise((r) => setTimeout(r, 5))
    // block 1's commit is under way; the other participant's rounds open our rounds 2 and 3 meanwhile
    other.receive(replica.blocksInOrder().at(-1)!)
    other.submit(transfer(0, 1n))
    replica.receive(other.tick(0)!)
    s.submit(transfer(1, 2n))
    other.receive(replica.blocksInOrder().at(-1)!)
    other.submit(transfer(0, 2n))
    replica.receive(other.tick(0)!)
    s.submit(transfer(1, 3n))
    expect(replica.latest[0]?.seq).toBe(3)
    await new Promise((r) => setTimeout(r, 5))
    expect(events).toEqual(['persist 1'])
    releases.shift()!()
    await new Promise((r) => setTimeout(r, 5))
    releases.shift()!()
    await s.flush()
    expect(events).toEqual([
      'persist 1',
      'persisted',
      'publish 1',
      'persist 2,3',
      'persisted',
      'publish 2',
      'publish 3',
    ])
    s.close()
  })

  it('publishes nothing of a group that failed to persist', async () => {
    const published: Uint8Array[] = []
    const replica = replicaOf(0)
    const s = new ChannelSession(replica, {
      now: () => 0,
      persist: async () => {
        throw new Error('disk full')
      },
      publish: (b) => published.push(b),
    })
    s.submit(transfer(1, 1n))
    await s.flush()
    expect(published).toEqual([])
    expect(s.lastError?.message).toBe('disk full')
    expect(s.inFlight).toBe(0)
    s.close()
  })

  it('its timer seals the batch as soon as a round opens, and makes no block while none is open', async () => {
    const published: Uint8Array[] = []
    const replica = replicaOf(0)
    const s = new ChannelSession(
      replica,
      { now: () => performance.now(), persist: async () => {}, publish: (b) => published.push(b) },
      2,
    )
    s.submit(transfer(1, 1n))
    await new Promise((r) => setTimeout(r, 10))
    expect(published.length).toBe(1)
    // round 2 is not open yet (we hold only our own round-1 block): the op waits in the batch, timer or not
    s.submit(transfer(1, 2n))
    await new Promise((r) => setTimeout(r, 40))
    expect(published.length).toBe(1)
    expect(replica.pendingOps).toBe(1)
    // the other participant's block arrives; nobody calls submit or tick: the timer proposes
    replica.receive(otherRoundOne())
    await new Promise((r) => setTimeout(r, 40))
    expect(published.length).toBe(2)
    expect(replica.pendingOps).toBe(0)
    expect(replica.latest[0]?.round).toBe(2)
    s.close()
  })

  it('proposes as soon as input opens a round, without waiting for its timer; close unsubscribes', async () => {
    const published: Uint8Array[] = []
    const replica = replicaOf(0)
    let wake: (() => void) | undefined
    const s = new ChannelSession(
      replica,
      {
        now: () => performance.now(),
        persist: async () => {},
        publish: (b) => published.push(b),
        onInput: (w) => {
          wake = w
          return () => {
            wake = undefined
          }
        },
      },
      // a timer that never fires during the test
      1_000_000,
    )
    s.submit(transfer(1, 1n))
    s.submit(transfer(1, 2n))
    await s.flush()
    expect(published.length).toBe(1)
    expect(replica.pendingOps).toBe(1)
    // the other participant's block joins the replica (what a ChannelDoc flush reports): round 2 is sealed at once
    replica.receive(otherRoundOne())
    wake!()
    expect(replica.pendingOps).toBe(0)
    await s.flush()
    expect(published.length).toBe(2)
    s.close()
    expect(wake).toBeUndefined()
  })

  it('hold(): nothing is sealed, by submit or the timer, until the hold is released (key rotation)', async () => {
    const published: Uint8Array[] = []
    const replica = replicaOf(0)
    const s = new ChannelSession(
      replica,
      { now: () => performance.now(), persist: async () => {}, publish: (b) => published.push(b) },
      2,
    )
    const release = s.hold()
    const seq = replica.rotationPoint().fromSeq
    s.submit(transfer(1, 1n))
    await new Promise((r) => setTimeout(r, 40))
    expect(published.length).toBe(0)
    expect(replica.pendingOps).toBe(1)
    // the rotation point read under the hold is still the next block
    expect(replica.rotationPoint().fromSeq).toBe(seq)
    release()
    release()
    await s.flush()
    expect(published.length).toBe(1)
    expect(BigInt(replica.latest[0]!.seq)).toBe(seq)
    s.close()
  })
})
