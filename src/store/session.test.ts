import { describe, expect, it } from 'vitest'
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
    ignoreForcedQueue: true,
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
    // round 1 is open: the first submit seals at once
    s.submit(transfer(1, 1n))
    expect(replica.latest[0]?.round).toBe(1)
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

  it('tick() after an arrival seals at once; a leader wait ends by its own one-shot timer, not a fast poll', async () => {
    const published: Uint8Array[] = []
    // n = 4, q = 3: round 2's leader is participant 2 (leaderOf(r) = r mod n)
    const ch = makeTestChannel({ participants: 4, label: 'session-wait' })
    const deps = testDeposits(4, 2, 1000n)
    const rep = (index: number, leaderWaitMs = 0) =>
      new Replica(ch.channel, {
        ignoreForcedQueue: true,
        deposits: deps,
        author: { index, sessionKey: ch.members[index]!.sessionKey },
        leaderWaitMs,
      })
    const replica = rep(0, 60)
    // the safety tick is an hour: every seal below comes from tick() calls or the leader-wait timer
    const s = new ChannelSession(
      replica,
      { now: () => Date.now(), persist: async () => {}, publish: (b) => published.push(b) },
      3_600_000,
    )
    s.submit(transfer(1, 1n))
    await s.flush()
    expect(published.length).toBe(1)
    // round 1 by participants 2 and 3: a quorum of round 1 without its leader (leaderOf(1, 4) = participant 1)
    const others = [2, 3].map((i) => {
      const r = rep(i)
      r.submit({ tag: OpTag.Transfer, to: 0, token: 0, amount: 1n })
      return r.tick(0)!
    })
    s.submit(transfer(1, 2n))
    for (const b of others) replica.receive(b)
    const t0 = Date.now()
    s.tick()
    await s.flush()
    // the round's leader is missing: the session waits for it, then seals by the one-shot timer alone
    expect(published.length).toBe(1)
    expect(replica.leaderWaitLeft(Date.now())).toBeGreaterThan(0)
    while (published.length < 2 && Date.now() - t0 < 2_000) await new Promise((r) => setTimeout(r, 5))
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55)
    expect(published.length).toBe(2)
    expect(replica.latest[0]!.round).toBe(2)
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
