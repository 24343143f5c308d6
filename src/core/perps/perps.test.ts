import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openChannel } from '../channel.ts'
import { checkOp } from '../opCheck.ts'
import { decodeOps, encodeOps, OpDecodeError } from '../opCodec.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { fundingRate } from './funding.ts'
import { perpsChannel, perpsHarness } from './harness.ts'
import { account, isLiquidatable } from './margin.ts'
import { median3 } from './markPrice.ts'
import { applyFill, emptyPosition, entryPrice } from './positions.ts'

const perpOps: Op[] = [
  { tag: OpTag.OraclePrice, market: 1, price: 12_345n },
  {
    tag: OpTag.PerpPlace,
    market: 1,
    side: Side.Sell,
    kind: OrderKind.Limit,
    tif: TimeInForce.PostOnly,
    reduceOnly: true,
    price: (1n << 64n) - 1n,
    qty: 7n,
  },
  { tag: OpTag.MarginDeposit, amount: (1n << 128n) - 1n },
  { tag: OpTag.MarginWithdraw, amount: 1n },
  { tag: OpTag.Liquidate, trader: 65_535, market: 2 },
]

describe('perp op codec', () => {
  it('round-trips every perp op with fixed body sizes', () => {
    const bytes = encodeOps(perpOps)
    expect(bytes.length).toBe(2 + (1 + 10) + (1 + 22) + (1 + 16) + (1 + 16) + (1 + 4))
    expect(decodeOps(bytes)).toEqual(perpOps)
    for (const op of perpOps) expect(checkOp(op)).toEqual({ ok: true })
  })
  it('random perp orders round-trip', () => {
    fc.assert(
      fc.property(
        fc.record({
          market: fc.integer({ min: 0, max: 65_535 }),
          side: fc.constantFrom(Side.Buy, Side.Sell),
          kind: fc.constantFrom(OrderKind.Limit, OrderKind.Market),
          tif: fc.constantFrom(TimeInForce.GTC, TimeInForce.IOC, TimeInForce.PostOnly),
          reduceOnly: fc.boolean(),
          price: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          qty: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        }),
        (r) => {
          const op = { tag: OpTag.PerpPlace, ...r } as Op
          expect(decodeOps(encodeOps([op]))).toEqual([op])
        },
      ),
    )
  })
  it('rejects a reduce-only flag other than 0/1, bad enums, truncation and trailing bytes', () => {
    const good = encodeOps([perpOps[1]!])
    const flag = good.slice()
    flag[2 + 1 + 5] = 2
    expect(() => decodeOps(flag)).toThrow(OpDecodeError)
    const side = good.slice()
    side[2 + 1 + 2] = 2
    expect(() => decodeOps(side)).toThrow(OpDecodeError)
    for (const op of perpOps) {
      const b = encodeOps([op])
      expect(() => decodeOps(b.slice(0, -1))).toThrow(OpDecodeError)
      const longer = new Uint8Array(b.length + 1)
      longer.set(b)
      expect(() => decodeOps(longer)).toThrow(OpDecodeError)
    }
  })
  it('refuses to encode out-of-range fields (checkOp names them)', () => {
    expect(() => encodeOps([{ tag: OpTag.OraclePrice, market: 1, price: 1n << 64n }])).toThrow(RangeError)
    const r = checkOp({ tag: OpTag.MarginWithdraw, amount: 1n << 128n })
    expect(r.ok === false && r.field).toBe('amount')
  })
})

describe('perp channel config', () => {
  it('requires perp params for perp markets, the collateral as quote, and mm below the initial margin', () => {
    const { channel } = perpsChannel()
    const bad = (f: (c: typeof channel.config) => void) => {
      const c = structuredClone(channel.config)
      f(c)
      return () => openChannel(c)
    }
    expect(bad(() => {})).not.toThrow()
    expect(bad((c) => delete c.params.perps)).toThrow(/params.perps/)
    expect(bad((c) => (c.params.perps!.collateralToken = 0))).toThrow(/collateral/)
    expect(bad((c) => (c.params.perps!.maintenanceMarginBps = 1000n))).toThrow(/maintenanceMarginBps/)
    expect(bad((c) => (c.params.perps!.oracle = 9))).toThrow(/oracle/)
    expect(bad((c) => (c.params.perps!.fundingIntervalMs = 0n))).toThrow(/fundingIntervalMs/)
  })
})

describe('mark price', () => {
  it('median of three, integers', () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.bigInt(), fc.bigInt(), (a, b, c) => {
        const s = [a, b, c].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
        expect(median3(a, b, c)).toBe(s[1])
      }),
    )
  })
  it('is the oracle price until a book and trades exist; then the median of oracle, mid and last trade', () => {
    const h = perpsHarness()
    const ps = h.state.perps!
    expect(ps.mark(1)).toBeUndefined()
    expect(h.order(0, { side: Side.Buy, price: 100n, qty: 1n })).toBe(Reject.NoPrice)
    expect(h.oracle(100n)).toBe(Reject.None)
    expect(ps.mark(1)).toBe(100n)
    for (const p of [0, 1]) expect(h.margin(p, 100_000n)).toBe(Reject.None)
    expect(h.order(0, { side: Side.Buy, price: 90n, qty: 1n })).toBe(Reject.None)
    expect(h.order(1, { side: Side.Sell, price: 121n, qty: 1n })).toBe(Reject.None)
    // mid ⌊(90 + 121) / 2⌋ = 105, no trade: median(100, 105, 100)
    expect(ps.mark(1)).toBe(100n)
    expect(h.order(1, { side: Side.Sell, price: 90n, qty: 1n })).toBe(Reject.None)
    // trade at 90; book now: ask 121 only → mid missing: median(100, 100, 90)
    expect(ps.mark(1)).toBe(100n)
    expect(h.order(0, { side: Side.Buy, price: 110n, qty: 1n })).toBe(Reject.None)
    // mid ⌊(110 + 121) / 2⌋ = 115, last 90, oracle 100 → 100; the oracle moves: median(130, 115, 90) = 115
    expect(h.oracle(130n)).toBe(Reject.None)
    expect(ps.mark(1)).toBe(115n)
  })
  it('only the designated oracle posts prices, on perp markets', () => {
    const h = perpsHarness()
    expect(h.apply(0, { tag: OpTag.OraclePrice, market: 1, price: 5n })).toBe(Reject.NotPermitted)
    expect(h.apply(3, { tag: OpTag.OraclePrice, market: 0, price: 5n })).toBe(Reject.WrongMarketKind)
    expect(h.apply(3, { tag: OpTag.OraclePrice, market: 9, price: 5n })).toBe(Reject.UnknownMarket)
    expect(h.apply(3, { tag: OpTag.OraclePrice, market: 1, price: 0n })).toBe(Reject.ZeroAmount)
  })
})

describe('positions', () => {
  it('cost basis, entry price and realized PnL', () => {
    let p = emptyPosition(0n)
    p = applyFill(p, 10n, 1000n).next // long 10 @ 100
    p = applyFill(p, 10n, 1200n).next // long 20, entry 110
    expect(entryPrice(p, 1n)).toBe(110n)
    const r = applyFill(p, -5n, -650n) // sell 5 @ 130: realized 5 · 20
    expect(r.realized).toBe(100n)
    expect(r.next.size).toBe(15n)
    const flip = applyFill(r.next, -25n, -2500n) // sell 25 @ 100: close 15 (realize −150), open short 10 @ 100
    expect(flip.realized).toBe(-150n)
    expect(flip.next.size).toBe(-10n)
    expect(flip.next.cost).toBe(-1000n)
  })
  it('margin − cost moves by exactly −cash on every fill (the conservation identity)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.bigInt({ min: -50n, max: 50n }), fc.bigInt({ min: 1n, max: 10_000n })), {
          maxLength: 30,
        }),
        (fills) => {
          let pos = emptyPosition(0n)
          let margin = 0n
          let cashOut = 0n
          for (const [delta, price] of fills) {
            if (delta === 0n) continue
            const cash = delta * price
            const r = applyFill(pos, delta, cash)
            pos = r.next
            margin += r.realized
            cashOut += cash
            expect(margin - pos.cost).toBe(-cashOut)
            if (pos.size === 0n) expect(pos.cost).toBe(0n)
          }
        },
      ),
    )
  })
})

describe('margin, leverage and reduce-only', () => {
  function opened() {
    const h = perpsHarness()
    h.oracle(100n)
    for (const p of [0, 1, 2, 4]) h.margin(p, 10_000n)
    return h
  }
  it('refuses an order above maxLeverage with its reason, accepts one at it', () => {
    const h = opened()
    // equity 10,000 · 10 = 100,000 = 1,000 lots at 100; the taker fee makes 1,000 too many
    expect(h.order(0, { side: Side.Buy, price: 100n, qty: 1001n })).toBe(Reject.LeverageTooHigh)
    expect(h.order(1, { side: Side.Sell, price: 100n, qty: 900n })).toBe(Reject.None)
    expect(h.order(0, { side: Side.Buy, price: 100n, qty: 900n })).toBe(Reject.None)
    const ps = h.state.perps!
    expect(ps.position(0, 1).size).toBe(900n)
    expect(ps.position(1, 1).size).toBe(-900n)
    // fees: taker 5 bps and maker 2 bps of 90,000 go to the fee recipient (participant 0) on the ledger
    expect(ps.margin[0]).toBe(10_000n - 45n)
    expect(ps.margin[1]).toBe(10_000n - 18n)
    expect(h.state.avail[0 * 2 + 1]).toBe(1_000_000n - 10_000n + 63n)
  })
  it('a maker whose fill would breach initial margin has its order cancelled; matching goes on', () => {
    const h = opened()
    h.margin(3, 10_000n)
    expect(h.order(1, { side: Side.Sell, price: 100n, qty: 900n })).toBe(Reject.None)
    expect(h.order(4, { side: Side.Sell, price: 100n, qty: 100n })).toBe(Reject.None)
    // participant 1 withdraws most of its margin: its resting order can no longer be filled
    expect(h.apply(1, { tag: OpTag.MarginWithdraw, amount: 9_000n })).toBe(Reject.None)
    expect(h.order(0, { side: Side.Buy, price: 100n, qty: 100n })).toBe(Reject.None)
    const ps = h.state.perps!
    expect(ps.position(1, 1).size).toBe(0n)
    expect(ps.position(4, 1).size).toBe(-100n)
    expect(h.state.books[1]!.asks.length).toBe(0)
  })
  it('reduce-only orders only shrink the position', () => {
    const h = opened()
    expect(h.order(1, { side: Side.Sell, price: 100n, qty: 10n })).toBe(Reject.None)
    expect(h.order(0, { side: Side.Buy, price: 100n, qty: 10n })).toBe(Reject.None)
    expect(h.order(0, { side: Side.Buy, price: 99n, qty: 1n, reduceOnly: true })).toBe(Reject.ReduceOnly)
    expect(h.order(0, { side: Side.Sell, price: 99n, qty: 11n, reduceOnly: true })).toBe(Reject.ReduceOnly)
    expect(h.order(0, { side: Side.Sell, price: 105n, qty: 10n, reduceOnly: true })).toBe(Reject.None)
    // the position shrinks to 4 by another order: the resting reduce-only order fills only 4
    expect(h.order(0, { side: Side.Sell, price: 100n, qty: 6n, kind: OrderKind.Limit })).toBe(Reject.None)
    expect(h.order(4, { side: Side.Buy, price: 100n, qty: 6n })).toBe(Reject.None)
    expect(h.order(4, { side: Side.Buy, price: 105n, qty: 10n, tif: TimeInForce.IOC })).toBe(Reject.None)
    const ps = h.state.perps!
    expect(ps.position(0, 1).size).toBe(0n)
    expect(ps.position(4, 1).size).toBe(10n)
  })
  it('margin withdrawals keep the account within initial margin', () => {
    const h = opened()
    h.order(1, { side: Side.Sell, price: 100n, qty: 500n })
    h.order(0, { side: Side.Buy, price: 100n, qty: 500n })
    // notional 50,000 needs equity 5,000
    expect(h.apply(0, { tag: OpTag.MarginWithdraw, amount: 5_000n })).toBe(Reject.InsufficientMargin)
    expect(h.apply(0, { tag: OpTag.MarginWithdraw, amount: 4_900n })).toBe(Reject.None)
    expect(h.apply(0, { tag: OpTag.MarginDeposit, amount: 10n ** 9n })).toBe(Reject.InsufficientFunds)
    expect(h.apply(0, { tag: OpTag.Place, market: 1, side: 0, kind: 0, tif: 0, price: 1n, qty: 1n })).toBe(
      Reject.WrongMarketKind,
    )
  })
})

describe('funding', () => {
  it('rate: premium share, clamped by the cap', () => {
    const p = { fundingFactorBps: 1000n, fundingCapBps: 50n }
    expect(fundingRate(1010n, 1000n, 10n, p)).toBe(10n)
    expect(fundingRate(2000n, 1000n, 10n, p)).toBe(50n)
    expect(fundingRate(0n, 1000n, 10n, p)).toBe(-50n)
    expect(fundingRate(995n, 1000n, 10n, p)).toBe(-5n)
  })
  it('longs pay shorts every interval of the channel clock from the mark–index premium, zero-sum', () => {
    const h = perpsHarness()
    h.oracle(1000n)
    for (const p of [0, 1, 4]) h.margin(p, 100_000n)
    h.order(1, { side: Side.Sell, price: 1000n, qty: 10n })
    h.order(0, { side: Side.Buy, price: 1000n, qty: 10n })
    // the book: bid 1100, ask 1200 → mid 1150; last trade 1000; oracle 1000 → mark 1000. Move the oracle to 900:
    h.order(4, { side: Side.Buy, price: 1100n, qty: 1n })
    h.order(4, { side: Side.Sell, price: 1200n, qty: 1n })
    h.oracle(900n)
    const ps = h.state.perps!
    // mark median(900, 1150, 1000) = 1000, index 900: f = min(100 · 10 %, 900 · 0.5 %) = 4 per lot and interval
    const e0 = [0, 1].map((p) => account(ps, p).equity)
    h.time = 3_500n // three intervals later
    h.oracle(900n)
    expect(ps.funding[1]!.rate).toBe(4n)
    const e1 = [0, 1].map((p) => account(ps, p).equity)
    expect(e1[0]! - e0[0]!).toBe(-3n * 4n * 10n)
    expect(e1[1]! - e0[1]!).toBe(3n * 4n * 10n)
    expect(h.state.timeRead).toBe(3n)
  })
})

describe('liquidation', () => {
  function levered() {
    const h = perpsHarness()
    h.oracle(100n)
    h.margin(0, 1_000n)
    h.margin(1, 100_000n)
    h.margin(2, 100_000n)
    h.order(1, { side: Side.Sell, price: 100n, qty: 90n })
    expect(h.order(0, { side: Side.Buy, price: 100n, qty: 90n })).toBe(Reject.None)
    return h
  }
  it('is refused while the account is healthy and by participants without the Liquidator role', () => {
    const h = levered()
    const liq = { tag: OpTag.Liquidate, trader: 0, market: 1 } as const
    expect(h.apply(2, liq)).toBe(Reject.NotLiquidatable)
    h.oracle(90n)
    expect(h.apply(4, liq)).toBe(Reject.NotPermitted)
    expect(h.apply(2, { tag: OpTag.Liquidate, trader: 4, market: 1 })).toBe(Reject.NoPosition)
  })
  it('closes at mark, the liquidator takes the position over, the fee goes to the insurance fund', () => {
    const h = levered()
    const ps = h.state.perps!
    h.oracle(90n)
    // equity 1,000 − 4 (taker fee on 9,000) − 900 = 96; notional 8,100 · 5 % = 405 > 96
    expect(isLiquidatable(ps, 0)).toBe(true)
    expect(h.apply(2, { tag: OpTag.Liquidate, trader: 0, market: 1 })).toBe(Reject.None)
    expect(ps.position(0, 1).size).toBe(0n)
    expect(ps.position(2, 1).size).toBe(90n)
    expect(ps.position(2, 1).cost).toBe(8_100n)
    // fee min(8,100 · 1 %, 96) = 81: the trader keeps 15
    expect(ps.insurance).toBe(81n)
    expect(ps.margin[0]).toBe(15n)
    expect(account(ps, 0)).toEqual({ equity: 15n, notional: 0n, positions: 0 })
  })
  it('a bankrupt account is covered by the insurance fund, then auto-deleveraged', () => {
    const h = levered()
    const ps = h.state.perps!
    ps.insurance = 100n
    ps.collateral += 100n
    h.oracle(80n) // equity 996 − 1,800 = −804: bankrupt
    expect(account(ps, 0).equity).toBe(-804n)
    expect(h.apply(2, { tag: OpTag.Liquidate, trader: 0, market: 1 })).toBe(Reject.None)
    expect(ps.insurance).toBe(0n)
    // the rest, 704, is paid by the opposite side (participant 1, short 90) on top of the mark price
    expect(ps.position(0, 1).size).toBe(0n)
    expect(ps.position(1, 1).size).toBe(0n)
    expect(ps.position(2, 1).size).toBe(0n)
    expect(account(ps, 0).equity).toBe(0n)
    expect(ps.margin[1]).toBe(100_000n - 1n + 90n * 20n - 704n)
  })
})
