import fc from 'fast-check'
import { type Op, OpTag, OrderKind, TimeInForce } from '../ops.ts'
import { ETH, marginHarness, PERP, Side, USDC } from './harness.ts'

/** Tests only (not folded): random streams of perp, lending and AMM ops in a netting channel with a pool. */
export const poolStreamOp: fc.Arbitrary<{ author: number; op: Op }> = fc.oneof(
  fc
    .record({ price: fc.integer({ min: 500, max: 1_500 }), m: fc.constantFrom(0, 1) })
    .map(({ price, m }) => ({
      author: 4,
      op: { tag: OpTag.OraclePrice, market: m, price: BigInt(price) } as Op,
    })),
  fc
    .record({
      author: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom(OpTag.LendSupply, OpTag.LendWithdraw, OpTag.LendBorrow, OpTag.LendRepay),
      token: fc.constantFrom(ETH, USDC),
      amount: fc.integer({ min: 1, max: 30_000 }),
    })
    .map(({ author, kind, token, amount }) => ({
      author,
      op: {
        tag: kind,
        token,
        amount: token === ETH ? (BigInt(amount) + 999n) / 1_000n : BigInt(amount),
      } as Op,
    })),
  fc
    .record({
      author: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom('add', 'remove', 'swap', 'give'),
      amount: fc.integer({ min: 1, max: 30_000 }),
      buy: fc.boolean(),
    })
    .map(({ author, kind, amount, buy }) => {
      const a = BigInt(amount)
      const op: Op =
        kind === 'add'
          ? { tag: OpTag.AmmAdd, market: 0, baseMax: a / 500n + 1n, quoteMax: a, minShares: 0n, voteBps: 30 }
          : kind === 'remove'
            ? { tag: OpTag.AmmRemove, market: 0, shares: a / 10n + 1n, minBase: 0n, minQuote: 0n }
            : kind === 'swap'
              ? {
                  tag: OpTag.AmmSwap,
                  market: 0,
                  side: buy ? Side.Buy : Side.Sell,
                  amountIn: buy ? a : a / 1_000n + 1n,
                  minOut: 0n,
                  deadline: (1n << 64n) - 1n,
                }
              : { tag: OpTag.AmmShareTransfer, market: 0, to: (author + 1) % 4, shares: a / 10n + 1n }
      return { author, op }
    }),
  fc
    .record({
      author: fc.integer({ min: 0, max: 3 }),
      buy: fc.boolean(),
      price: fc.integer({ min: 800, max: 1_200 }),
      qty: fc.integer({ min: 1, max: 40 }),
    })
    .map(({ author, buy, price, qty }) => ({
      author,
      op: {
        tag: OpTag.PerpPlace,
        market: PERP,
        side: buy ? Side.Buy : Side.Sell,
        kind: OrderKind.Limit,
        tif: TimeInForce.GTC,
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

/**
 * The channel the pool-share streams start from: ETH at 1,000; 0 and 1 hold mostly pool shares and borrow against
 * them, 2 and 3 lend (and LP a little); everyone has a little margin.
 */
export function poolStreamStart() {
  const h = marginHarness({ amm: true, lending: { openLiquidation: false } })
  h.price(1_000n)
  for (const p of [0, 1, 2, 3]) {
    h.margin(p, 1_000n)
    h.addLiquidity(p, p < 2 ? 300n : 20n, p < 2 ? 300_000n : 20_000n)
    if (p >= 2) {
      h.supply(p, USDC, 500_000n)
      h.supply(p, ETH, 200n)
    }
  }
  h.borrow(0, USDC, 300_000n)
  h.borrow(1, ETH, 250n)
  return h
}
