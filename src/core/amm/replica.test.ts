import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { type Op, OpTag, Side } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { Replica } from '../replica.ts'
import { stateRoot } from '../roots.ts'
import { DagBuilder, testDeposits } from '../testing.ts'
import { ammChannel, NO_DEADLINE } from './harness.ts'

/** The AMM through the replica: blocks carry their authors' times, swap deadlines read the channel clock. */
const tc = ammChannel()
const deposits = testDeposits(5, 2, 1_000_000_000n)
const add = (base: bigint, quote: bigint, voteBps: number): Op => ({
  tag: OpTag.AmmAdd,
  market: 0,
  baseMax: base,
  quoteMax: quote,
  minShares: 0n,
  voteBps,
})
const swap = (side: Side, amountIn: bigint, deadline = NO_DEADLINE, minOut = 0n): Op => ({
  tag: OpTag.AmmSwap,
  market: 0,
  side,
  amountIn,
  minOut,
  deadline,
})

/**
 * Two LPs add and vote concurrently (round 2), swappers trade both ways at once (rounds 3–5), one swap's deadline
 * passes on the channel clock before the round it lands in commits (round 6: 7,000 ms < the clock), an LP changes
 * its vote while another removes and gives shares away.
 */
function history(): Uint8Array[] {
  const ops: Record<number, Op[][]> = {
    2: [[add(10_000_000n, 5_000_000n, 5)], [add(20_000_000n, 10_000_000n, 100)], [], [], []],
    3: [[], [], [swap(Side.Buy, 300_000n)], [swap(Side.Sell, 500_000n, 60_000n)], []],
    4: [[{ tag: OpTag.AmmVote, market: 0, voteBps: 30 }], [], [swap(Side.Sell, 100_000n)], [], []],
    5: [[], [{ tag: OpTag.AmmRemove, market: 0, shares: 3_000_000n, minBase: 0n, minQuote: 0n }], [], [], []],
    6: [[], [], [swap(Side.Buy, 50_000n, 7_000n)], [swap(Side.Buy, 40_000n, 100_000n, 1_000_000n)], []],
    7: [[{ tag: OpTag.AmmShareTransfer, market: 0, to: 3, shares: 1_000_000n }], [], [], [], []],
    8: [[], [], [], [{ tag: OpTag.AmmVote, market: 0, voteBps: 1 }], []],
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

describe('the AMM in the replica', () => {
  const blocks = history()
  const ref = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
  ref.receiveMany(blocks)

  it('applies in the final order with the channel clock deciding deadlines', () => {
    const s = ref.finalState()
    const pool = s.amm!.pools[0]!
    expect(ref.finalCount).toBeGreaterThan(40)
    const results = new Map<number, number[]>()
    for (const x of ref.order.slice(0, ref.finalCount))
      if (x.block.ops.length > 0) results.set(x.round * 10 + x.author, [...x.results])
    expect(results.get(20)).toEqual([Reject.None])
    expect(results.get(21)).toEqual([Reject.None])
    expect(results.get(33)).toEqual([Reject.None]) // deadline 60 s: far ahead of the clock
    expect(results.get(62)).toEqual([Reject.DeadlinePassed]) // deadline 7 s: the clock is past it by round 6
    expect(results.get(63)).toEqual([Reject.Slippage])
    expect(results.get(70)).toEqual([Reject.None])
    // after the transfer and 3's vote: 0 (30 bps) 8,071,067 …, 1 (100 bps), 3 (1 bps)
    expect(pool.shares[3]).toBe(1_000_000n)
    expect(pool.feeBps).toBeGreaterThan(0n)
    for (const t of [0, 1]) {
      let total = 0n
      for (let p = 0; p < 5; p++) total += s.holdings(p, t)
      expect(total).toBe(5_000_000_000n)
    }
  })

  it('same final order, state root and pools for every delivery order', () => {
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
