import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { type Op, OpTag } from '../ops.ts'
import { Replica } from '../replica.ts'
import { stateRoot } from '../roots.ts'
import { DagBuilder, testDeposits } from '../testing.ts'
import { ETH, lendingChannel, USDC } from './harness.ts'
import { healthOf, isLiquidatable } from './health.ts'

/**
 * The design's lending story through replicas: Alice (0) supplies USDC while Bob (1) borrows ETH against USDC,
 * Carol (2) supplies ETH, the oracle (4) moves ETH from 20 to 22, and Dave (3, the Liquidator) liquidates Bob.
 * Blocks carry their authors' times (about 11.5 days a round, so interest shows); every replica, whatever order the
 * blocks arrive in, ends with the same final order, state root and outcome.
 */
const tc = lendingChannel()
const FUND = 10n ** 12n
const deposits = testDeposits(5, 2, FUND)
const ROUND_MS = 1_000_000_000n
const supply = (token: number, amount: bigint): Op => ({ tag: OpTag.LendSupply, token, amount })
const oracle = (price: bigint): Op => ({ tag: OpTag.OraclePrice, market: 0, price })

function history(): Uint8Array[] {
  const ops: Record<number, Op[][]> = {
    1: [[], [supply(USDC, 150_000_000n)], [supply(ETH, 1_000_000_000n)], [], [oracle(20n)]],
    // concurrent: Alice supplies USDC while Bob borrows ETH at his loan-to-value limit (150 M · 80 % = 6 M · 20)
    2: [
      [supply(USDC, 500_000_000n)],
      [{ tag: OpTag.LendBorrow, token: ETH, amount: 6_000_000n }],
      [],
      [],
      [],
    ],
    // Dave tries too early: Bob is healthy (refused, LoanHealthy)
    3: [
      [],
      [],
      [],
      [{ tag: OpTag.LendLiquidate, trader: 1, debtToken: ETH, collateralToken: USDC, amount: 1n }],
      [],
    ],
    4: [[], [], [], [], [oracle(22n)]],
    6: [
      [],
      [],
      [],
      [{ tag: OpTag.LendLiquidate, trader: 1, debtToken: ETH, collateralToken: USDC, amount: 3_000_000n }],
      [],
    ],
  }
  const g = new DagBuilder(tc)
  const out: Uint8Array[] = []
  for (let r = 1; r <= 12; r++)
    for (let a = 0; a < 5; a++)
      out.push(
        g.block(a, r, r === 1 ? [] : [0, 1, 2, 3, 4], ops[r]?.[a] ?? [], [], BigInt(r) * ROUND_MS + BigInt(a))
          .bytes,
      )
  return out
}

describe('the lending story in the replica', () => {
  const blocks = history()
  const ref = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
  ref.receiveMany(blocks)

  it('Bob borrows against USDC, the price moves, Dave liquidates him with the bonus; interest accrues', () => {
    const s = ref.finalState()
    const ls = s.lending!
    expect(ref.finalCount).toBeGreaterThan(40)
    // every op went through but Dave's early attempt
    const results = ref.order
      .slice(0, ref.finalCount)
      .flatMap((x) => x.block.ops.map((op, i) => [op, x.results[i]]))
    const liquidations = results.filter(([op]) => (op as Op).tag === OpTag.LendLiquidate).map(([, r]) => r)
    expect(liquidations).toEqual([53, 0])
    expect(results.filter(([op, r]) => (op as Op).tag !== OpTag.LendLiquidate && r !== 0)).toEqual([])
    // Dave repaid 3 M ETH and took 3 M · 22 · 1.05 of Bob's USDC supply
    expect(ls.claim(3, USDC)).toBe(69_300_000n)
    expect(ls.claim(1, USDC)).toBe(150_000_000n - 69_300_000n)
    expect(s.avail[3 * 2 + ETH]).toBe(FUND - 3_000_000n)
    // Bob still owes the rest with interest, and is healthy again
    const debt = ls.debt(1, ETH)
    expect(debt).toBeGreaterThan(3_000_000n)
    expect(debt).toBeLessThan(3_100_000n)
    expect(isLiquidatable(healthOf(ls, s, 1))).toBe(false)
    // Carol earns the interest Bob pays, less the reserve
    expect(ls.claim(2, ETH)).toBeGreaterThan(1_000_000_000n)
    expect(ls.pools[ETH]!.reserve).toBeGreaterThan(0n)
    // Alice's USDC earns nothing (nobody borrows USDC) and stays hers
    expect(ls.claim(0, USDC)).toBe(500_000_000n)
    // every token conserved, interest included
    for (const t of [ETH, USDC]) {
      let total = 0n
      for (let p = 0; p < 5; p++) total += s.holdings(p, t)
      expect(total).toBe(5n * FUND)
    }
  })

  it('same final order, state root and loans for every delivery order', () => {
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
        expect(r.finalState().lending!.debt(1, ETH)).toBe(ref.finalState().lending!.debt(1, ETH))
      }),
      { numRuns: 12 },
    )
  })
})
