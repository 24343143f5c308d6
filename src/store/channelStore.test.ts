import { describe, expect, it } from 'vitest'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import { type ChannelStore, createChannelStore } from './channelStore.ts'

const tc = makeTestChannel({ participants: 3, label: 'channel-store' })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function channel(throttleMs: number, extra: Partial<Parameters<typeof createChannelStore>[0]> = {}) {
  let store: ChannelStore | undefined
  let invalidations = 0
  const replicas = tc.members.map(
    (m) =>
      new Replica(tc.channel, {
        ignoreForcedQueue: true,
        deposits: testDeposits(3, 2, 1000n),
        author: { index: m.index, sessionKey: m.sessionKey },
        leaderWaitMs: 0,
        ...(m.index === 0
          ? {
              onUpdate: () => {
                invalidations++
                store?.invalidate()
              },
            }
          : {}),
      }),
  )
  runToQuiet(replicas)
  store = createChannelStore({ replica: replicas[0]!, me: 0, throttleMs, ...extra })
  return { store, replicas, invalidations: () => invalidations }
}

describe('createChannelStore: coalesced snapshots', () => {
  it('takes at most one snapshot per window however many blocks arrive, and the last one shows the final state', async () => {
    // renderShare 1: the window stays throttleMs however long a snapshot takes on a loaded machine
    const { store, replicas, invalidations } = channel(40, { renderShare: 1 })
    let published = 0
    store.subscribe(() => published++)
    const before = invalidations()
    for (let i = 0; i < 20; i++) {
      replicas[1]!.submit({ tag: OpTag.Transfer, to: 0, token: 0, amount: 1n })
      runToQuiet(replicas, 1000 + i * 100)
    }
    // dozens of replica updates in one task: nothing published yet, then exactly one snapshot
    expect(invalidations() - before).toBeGreaterThan(20)
    expect(published).toBe(0)
    await sleep(120)
    expect(published).toBe(1)
    const s = store.getState().snapshot
    expect(s.balances.find((b) => b.token === 0)?.total).toBe(1020n)
    expect(s.blockCount).toBe(replicas[0]!.order.length)
    // a change after the snapshot is never lost: one more snapshot follows
    replicas[2]!.submit({ tag: OpTag.Transfer, to: 0, token: 0, amount: 5n })
    runToQuiet(replicas, 9000)
    await sleep(120)
    expect(published).toBe(2)
    expect(store.getState().snapshot.balances.find((b) => b.token === 0)?.total).toBe(1025n)
  })

  it('keeps the objects of unchanged fields, so their subscribers do not render again', async () => {
    const { store, replicas } = channel(5)
    const s0 = store.getState().snapshot
    // participant 1 pays participant 2: nothing of ours changes but the DAG
    replicas[1]!.submit({ tag: OpTag.Transfer, to: 2, token: 1, amount: 7n })
    runToQuiet(replicas, 5000)
    store.flush()
    const s1 = store.getState().snapshot
    expect(s1.blockCount).toBeGreaterThan(s0.blockCount)
    expect(s1.blocks).not.toBe(s0.blocks)
    expect(s1.balances).toBe(s0.balances)
    expect(s1.openOrders).toBe(s0.openOrders)
    expect(s1.depth).toBe(s0.depth)
    expect(s1.activity).toBe(s0.activity)
    // our balance changes: a new object, with the new amount
    replicas[1]!.submit({ tag: OpTag.Transfer, to: 0, token: 1, amount: 3n })
    runToQuiet(replicas, 9000)
    store.flush()
    const s2 = store.getState().snapshot
    expect(s2.balances).not.toBe(s1.balances)
    expect(s2.balances.find((b) => b.token === 1)?.total).toBe(1003n)
    expect(s2.depth).toBe(s0.depth)
  })

  it('waits longer after a snapshot whose renders took more than their share of the thread, up to the cap', async () => {
    let clock = 0
    const { store, replicas } = channel(10, { renderShare: 0.1, maxThrottleMs: 400, now: () => clock })
    let published = 0
    // a subscriber that "renders" for 15 ms of the store's clock: the next window is 15 / 0.1 = 150 ms
    store.subscribe(() => {
      published++
      clock += 15
    })
    const pay = (at: number) => {
      replicas[1]!.submit({ tag: OpTag.Transfer, to: 0, token: 0, amount: 1n })
      runToQuiet(replicas, at)
      store.invalidate()
    }
    pay(1000)
    await sleep(100)
    // the first window is throttleMs
    expect(published).toBe(1)
    pay(2000)
    await sleep(60)
    expect(published).toBe(1)
    await sleep(300)
    expect(published).toBe(2)
    // a render cheap again brings the window back to throttleMs
    clock = 0
    store.subscribe(() => {
      clock -= 15
    })
    pay(3000)
    await sleep(300)
    expect(published).toBe(3)
    pay(4000)
    await sleep(100)
    expect(published).toBe(4)
  })
})
