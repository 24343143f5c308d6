import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { Replica } from '../replica.ts'
import { stateRoot } from '../roots.ts'
import { DagBuilder, testDeposits } from '../testing.ts'
import { perpsChannel } from './harness.ts'

/** Perps through the replica: blocks carry their authors' times, the fold sees the channel clock. */
const tc = perpsChannel()
const deposits = testDeposits(5, 2, 1_000_000n)
const order = (side: Side, price: bigint, qty: bigint): Op => ({
  tag: OpTag.PerpPlace,
  market: 1,
  side,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  reduceOnly: false,
  price,
  qty,
})
const oracle = (price: bigint): Op => ({ tag: OpTag.OraclePrice, market: 1, price })

function history(): Uint8Array[] {
  const ops: Record<number, Op[][]> = {
    1: [
      [{ tag: OpTag.MarginDeposit, amount: 2_000n }],
      [{ tag: OpTag.MarginDeposit, amount: 50_000n }],
      [{ tag: OpTag.MarginDeposit, amount: 50_000n }],
      [oracle(1000n)],
      [{ tag: OpTag.MarginDeposit, amount: 50_000n }],
    ],
    // (round 2's slot order is 2, 3, 4, 0, 1: the sell meets 0's bid alone)
    2: [[order(Side.Buy, 1000n, 18n)], [order(Side.Sell, 1000n, 18n)], [], [], []],
    // a book (bid 1010, ask 1100) and an oracle above it: mark median(1100, 1055, 1000) = 1055 < index, shorts pay
    3: [[], [order(Side.Sell, 1100n, 1n)], [], [oracle(1100n)], [order(Side.Buy, 1010n, 1n)]],
    // the book empties and the oracle falls: mark median(920, 920, 1000) = 920 — 0's 9× long is under maintenance
    5: [
      [],
      [{ tag: OpTag.Cancel, orderSeq: 3n, orderIndex: 0 }],
      [],
      [oracle(920n)],
      [{ tag: OpTag.Cancel, orderSeq: 3n, orderIndex: 0 }],
    ],
    6: [[], [], [{ tag: OpTag.Liquidate, trader: 0, market: 1 }], [], []],
    8: [[], [order(Side.Sell, 1090n, 3n)], [], [], [order(Side.Buy, 1090n, 2n)]],
  }
  const g = new DagBuilder(tc)
  const out: Uint8Array[] = []
  for (let r = 1; r <= 12; r++)
    for (let a = 0; a < 5; a++)
      out.push(
        g.block(a, r, r === 1 ? [] : [0, 1, 2, 3, 4], ops[r]?.[a] ?? [], [], BigInt(r * 1500 + a)).bytes,
      )
  return out
}

describe('perps in the replica', () => {
  const blocks = history()
  const ref = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
  ref.receiveMany(blocks)

  it('funding follows the channel clock and the liquidation applies in the final order', () => {
    const s = ref.finalState()
    const ps = s.perps!
    expect(ref.finalCount).toBeGreaterThan(40)
    // the liquidation (round 6, by the Liquidator) went through: 0's long moved to participant 2
    expect(ps.position(0, 1).size).toBe(0n)
    expect(ps.position(2, 1).size).toBe(18n)
    expect(ps.funding[1]!.epoch).toBeGreaterThan(0n)
    expect(ps.funding[1]!.cum).toBeLessThan(0n)
    expect(ref.order.slice(0, ref.finalCount).every((x) => x.results.every((r) => r === 0))).toBe(true)
    // conservation of the collateral token, funding and insurance included
    let total = 0n
    for (let p = 0; p < 5; p++) total += s.holdings(p, 1)
    expect(total).toBe(5_000_000n)
  })

  it('same final order, state root and positions for every delivery order', () => {
    const want = toHex(stateRoot(ref.finalState()))
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: blocks.length, maxLength: blocks.length }), (keys) => {
        const shuffled = blocks
          .map((b, i) => [keys[i]!, i, b] as const)
          .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        const r = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
        for (const [, , b] of shuffled) r.receive(b)
        expect(r.finalIds()).toEqual(ref.finalIds())
        expect(toHex(stateRoot(r.finalState()))).toBe(want)
        expect(toHex(stateRoot(r.state))).toBe(toHex(stateRoot(ref.state)))
      }),
      { numRuns: 12 },
    )
  })
})
