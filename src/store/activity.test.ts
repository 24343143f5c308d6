import { describe, expect, it } from 'vitest'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../core/ops.ts'
import type { Replica } from '../core/replica.ts'
import { authoringReplicas, makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import { openOrdersOf } from '../core/views.ts'
import { activityOf, tradeRowsOf } from './activity.ts'

const tc = makeTestChannel({ participants: 4, label: 'activity' })
const deposits = testDeposits(4, 2, 1_000_000_000n)
const limit = (side: Side, price: bigint, qty: bigint): Op => ({
  tag: OpTag.Place,
  market: 0,
  side,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  price,
  qty,
})
const network = () => authoringReplicas(tc, deposits)

describe('activityOf', () => {
  it('lists partial and full fills from each side, cancels and rejections with the reason, pending then final', () => {
    const reps = network()
    const [a, b, c] = reps as [Replica, Replica, Replica]
    const ask = a.submit(limit(Side.Sell, 100n, 10n))
    runToQuiet(reps)
    b.submit(limit(Side.Buy, 100n, 4n))
    runToQuiet(reps)
    c.submit(limit(Side.Buy, 100n, 8n))
    a.submit({ tag: OpTag.Cancel, orderSeq: 99n, orderIndex: 0 })
    runToQuiet(reps)
    const resting = openOrdersOf(c.state, 2)[0]!
    c.submit({ tag: OpTag.Cancel, orderSeq: resting.seq, orderIndex: resting.index })
    // before anything is sealed and delivered: a pending cancel is not listed until its block exists
    const sealed = c.tick(1_000_000)!
    const pending = activityOf(c, 2)
    // its time is when C sealed it, not the channel clock of the last commit (the previous trade's time: the cancel
    // showed that before)
    expect(pending[0]).toMatchObject({ kind: 'cancel', final: false, time: 1_000_000n })
    for (const r of reps) if (r !== c) r.receive(sealed)
    runToQuiet(reps, 2_000_000)

    const ofA = activityOf(a, 0)
    // the cancel and C's buy are in the same round: either may come first in the order
    expect(ofA.map((e) => e.kind).sort()).toEqual(['fill', 'partial', 'reject'])
    expect(ofA.at(-1)!.kind).toBe('partial')
    const by = (k: string) => ofA.find((e) => e.kind === k)!
    expect(by('reject')).toMatchObject({ reason: 'unknown order (or not yours)', final: true })
    expect(by('fill')).toMatchObject({ role: 'maker', side: Side.Sell, qty: 6n, filled: 10n, size: 10n })
    expect(by('partial')).toMatchObject({
      role: 'maker',
      side: Side.Sell,
      qty: 4n,
      filled: 4n,
      size: 10n,
      final: true,
    })
    expect((by('partial') as { order: string }).order).toBe(`0:${ask.seq}:${ask.index}`)

    const ofB = activityOf(b, 1)
    expect(ofB).toHaveLength(1)
    expect(ofB[0]).toMatchObject({ kind: 'fill', role: 'taker', side: Side.Buy, qty: 4n, price: 100n })
    expect((ofB[0] as { fee: bigint }).fee).toBe((400n * 5n) / 10_000n)

    const ofC = activityOf(c, 2)
    expect(ofC.map((e) => [e.kind, e.final])).toEqual([
      ['cancel', true],
      ['partial', true],
    ])
    expect(ofC[0]!.time).toBe(1_000_000n)
    expect(activityOf(reps[3]!, 3)).toEqual([])
  })
})

describe('tradeRowsOf', () => {
  it('gives each trade its time and finality, and the viewer its side, fee and the order’s running average', () => {
    const reps = network()
    const [a, b] = reps as [Replica, Replica]
    a.submit(limit(Side.Sell, 100n, 2n))
    a.submit(limit(Side.Sell, 110n, 2n))
    runToQuiet(reps, 1_000)
    b.submit(limit(Side.Buy, 110n, 3n))
    runToQuiet(reps, 5_000)
    const rowsB = tradeRowsOf(b, 1)
    expect(rowsB.map((r) => [r.trade.price, r.trade.qty])).toEqual([
      [110n, 1n],
      [100n, 2n],
    ])
    // the time B sealed its order's block, for B and for A (the channel clock there is still the last round's, 1,003)
    expect(rowsB.every((r) => r.final && r.time === 5_000n)).toBe(true)
    expect(tradeRowsOf(a, 0).every((r) => r.final && r.time === 5_000n)).toBe(true)
    // B's one order: average (100·2 + 110·1) / 3 after the second fill
    expect(rowsB[0]!.mine).toMatchObject({ side: Side.Buy, role: 'taker', orderNotional: 310n, orderQty: 3n })
    expect(rowsB[1]!.mine).toMatchObject({ orderNotional: 200n, orderQty: 2n })
    // A sold, as maker, of two different orders
    const rowsA = tradeRowsOf(a, 0)
    expect(rowsA.map((r) => r.mine?.side)).toEqual([Side.Sell, Side.Sell])
    expect(rowsA[0]!.mine).toMatchObject({ role: 'maker', orderNotional: 110n, orderQty: 1n })
    expect(tradeRowsOf(reps[3]!, 3).every((r) => r.mine === undefined)).toBe(true)
    expect(tradeRowsOf(b, 1, 1)).toHaveLength(1)
  })
})

describe('activityOf after a chain restart', () => {
  it('says which pending ops were dropped: sealed while cut off, expired, never applied', () => {
    const D = 3
    const K = 3
    const reps = authoringReplicas(tc, deposits, { refDepth: D, lateSlack: K })
    const [cut, others] = [reps[3]!, reps.slice(0, 3)]
    let now = 0
    cut.submit({ tag: OpTag.Transfer, to: 0, token: 0, amount: 777n }, now)
    const lost = runToQuiet([cut], now)
    const meanwhile: Uint8Array[] = []
    for (let k = 0; k < 4 * (D + K); k++) {
      for (const [i, r] of others.entries())
        r.submit({ tag: OpTag.Transfer, to: (i + 1) % 3, token: 0, amount: 1n }, now)
      now += 100
      meanwhile.push(...runToQuiet(others, now))
    }
    cut.receiveMany(meanwhile)
    for (const r of others) r.receiveMany(lost)
    cut.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 5n }, now)
    runToQuiet(reps, now + 100)
    const dropped = activityOf(cut, 3).filter((e) => e.kind === 'expired')
    expect(dropped).toHaveLength(1)
    const e = dropped[0]!
    expect('op' in e && e.op.tag === OpTag.Transfer && e.op.amount).toBe(777n)
    // the op never applied anywhere; the one sent after the restart did
    for (const r of reps) expect(r.finalState().holdings(3, 0)).toBe(1_000_000_000n - 5n)
  })
})
