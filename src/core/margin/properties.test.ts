import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { markPrice } from '../perps/markPrice.ts'
import { Reject } from '../reasons.ts'
import { isLiquidatable, marginAccount, meetsInitial } from './account.ts'
import { ETH, marginHarness, PERP, USDC } from './harness.ts'

/**
 * Random streams of perp and lending ops in a channel whose accounts net (harness.ts), checked after every op
 * against the rules computed here from the raw state, independently of margin/account.ts: every token conserved
 * through settlement, no negative balance anywhere, every account liquidatable exactly when the one maintenance
 * inequality fails, every accepted op that can worsen an account leaves it within the initial inequality, and bad
 * debt is written off only from an account with nothing left (no supply, no margin, no position).
 */
const P = 5
const opArb: fc.Arbitrary<{ author: number; op: Op }> = fc.oneof(
  fc
    .record({ author: fc.constant(4), price: fc.integer({ min: 500, max: 1_500 }), m: fc.constantFrom(0, 1) })
    .map(({ author, price, m }) => ({
      author,
      op: { tag: OpTag.OraclePrice, market: m, price: BigInt(price) } as Op,
    })),
  fc
    .record({
      author: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom(
        OpTag.MarginDeposit,
        OpTag.MarginWithdraw,
        OpTag.LendSupply,
        OpTag.LendWithdraw,
        OpTag.LendBorrow,
        OpTag.LendRepay,
      ),
      token: fc.constantFrom(ETH, USDC),
      amount: fc.integer({ min: 1, max: 30_000 }),
    })
    .map(({ author, kind, token, amount }) => {
      const small = BigInt(token === ETH ? Math.ceil(amount / 1_000) : amount)
      if (kind === OpTag.MarginDeposit || kind === OpTag.MarginWithdraw)
        return { author, op: { tag: kind, amount: BigInt(amount) } as Op }
      return { author, op: { tag: kind, token, amount: small } as Op }
    }),
  fc
    .record({
      author: fc.integer({ min: 0, max: 3 }),
      buy: fc.boolean(),
      price: fc.integer({ min: 800, max: 1_200 }),
      qty: fc.integer({ min: 1, max: 40 }),
      ioc: fc.boolean(),
    })
    .map(({ author, buy, price, qty, ioc }) => ({
      author,
      op: {
        tag: OpTag.PerpPlace,
        market: PERP,
        side: buy ? Side.Buy : Side.Sell,
        kind: OrderKind.Limit,
        tif: ioc ? TimeInForce.IOC : TimeInForce.GTC,
        reduceOnly: false,
        price: BigInt(price),
        qty: BigInt(qty),
      } as Op,
    })),
  fc
    .record({ trader: fc.integer({ min: 0, max: 2 }), loan: fc.boolean(), debt: fc.constantFrom(ETH, USDC) })
    .map(({ trader, loan, debt }) => ({
      author: 3,
      op: loan
        ? ({
            tag: OpTag.LendLiquidate,
            trader,
            debtToken: debt,
            collateralToken: 1 - debt,
            amount: 1_000_000n,
          } as Op)
        : ({ tag: OpTag.Liquidate, trader, market: PERP } as Op),
    })),
)

/** The account's terms from the raw state (× 10,000 where the lending rules need it). */
function reference(h: ReturnType<typeof marginHarness>, p: number) {
  const s = h.state
  const ps = s.perps!
  const ls = s.lending!
  const mark = ps.mark(PERP)
  let E = ps.margin[p]!
  let N = 0n
  let open = false
  const pos = ps.positions[p * ps.M + PERP]
  if (pos && pos.size !== 0n && mark !== undefined) {
    const cum = ps.funding[PERP]!.cum
    E += pos.size * mark - pos.cost - pos.size * (cum - pos.fundingSnap)
    N += (pos.size < 0n ? -pos.size : pos.size) * mark
    open = true
  }
  const eth = markPrice(ls.spotOracle[0], s.books[0]!, ls.spotLastTrade[0])
  const claimEth = ls.claim(p, ETH)
  const debtEth = ls.debt(p, ETH)
  const claimUsdc = ls.claim(p, USDC)
  const debtUsdc = ls.debt(p, USDC)
  const ethValue = eth === undefined ? 0n : claimEth * eth
  const C = claimUsdc * 8_500n + ethValue * 8_000n
  const B = claimUsdc * 8_000n + ethValue * 7_500n
  const unpriced = debtEth > 0n && eth === undefined
  const D = debtUsdc * 10_000n + (eth === undefined ? 0n : debtEth * eth * 10_000n)
  const hasDebt = debtEth > 0n || debtUsdc > 0n
  return {
    liquidatable: (open || hasDebt) && (unpriced || E * 10_000n + C - D < N * 500n),
    initial: !unpriced && (E * 10_000n + B - D) * 10n >= N * 10_000n,
    bare: claimEth === 0n && claimUsdc === 0n && ps.margin[p]! <= 0n && !open,
  }
}

describe('one margin account: properties over random perp and lending streams', () => {
  it('conserves every token, never goes negative, and is liquidatable exactly when the inequality fails', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 60 }), (ops) => {
        const h = marginHarness({ lending: { openLiquidation: false } })
        h.price(1_000n)
        // everyone starts with margin and supplies, so positions and loans open
        for (const p of [0, 1, 2, 3]) {
          h.margin(p, 20_000n)
          h.supply(p, USDC, 20_000n)
          h.supply(p, ETH, 20n)
        }
        for (const { author, op } of ops) {
          const badBefore = [ETH, USDC].map((t) => h.state.lending!.pools[t]!.badDebt)
          const r = h.apply(author, op)
          for (const t of [ETH, USDC]) expect(h.total(t)).toBe(5n * h.amount)
          for (const x of h.state.avail) expect(x >= 0n).toBe(true)
          for (const x of h.state.lending!.shares) expect(x >= 0n).toBe(true)
          for (const x of h.state.lending!.scaled) expect(x >= 0n).toBe(true)
          for (const t of [ETH, USDC]) expect(h.state.lending!.pools[t]!.cash >= 0n).toBe(true)
          expect(h.state.perps!.collateral >= 0n).toBe(true)
          expect(h.state.perps!.insurance >= 0n).toBe(true)
          for (let p = 0; p < P; p++) {
            const ref = reference(h, p)
            expect(isLiquidatable(marginAccount(h.state, p, 'perps'), 500n)).toBe(ref.liquidatable)
            expect(meetsInitial(marginAccount(h.state, p, 'lending'), 10n)).toBe(ref.initial)
          }
          if (r !== Reject.None) continue
          // an op that adds risk leaves its author within the initial inequality
          if (op.tag === OpTag.LendBorrow || op.tag === OpTag.LendWithdraw || op.tag === OpTag.MarginWithdraw)
            expect(reference(h, author).initial).toBe(true)
          if (op.tag === OpTag.LendLiquidate) {
            const grew = [ETH, USDC].some((t, k) => h.state.lending!.pools[t]!.badDebt > badBefore[k]!)
            if (grew) expect(reference(h, op.trader).bare).toBe(true)
          }
        }
      }),
      { numRuns: 50, seed: 11 },
    )
  })
})
