import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Channel } from './channel.ts'
import { type CancelOp, OpTag, OrderKind, type PlaceOp, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { ChannelState, type OpContext } from './state.ts'
import { makeTestChannel, testDeposits } from './testing.ts'

/**
 * Order book semantics, exercised through ChannelState (the book only stores orders; funds and fills live in
 * state.ts). Market 0: base token 0, quote token 1, tick 1, lot 1000. Participant 0 receives the fees.
 */
const D = 1_000_000_000n
const BPS = 10_000n
const BASE = 0
const QUOTE = 1
const LOT = 1000n

const channels = new Map<string, Channel>()
function channelFor(P: number, makerFeeBps: bigint, takerFeeBps: bigint, maxOpenOrders: number): Channel {
  const key = `${P}/${makerFeeBps}/${takerFeeBps}/${maxOpenOrders}`
  let ch = channels.get(key)
  if (!ch) {
    ch = makeTestChannel({ participants: P, label: 'book', makerFeeBps, takerFeeBps, maxOpenOrders }).channel
    channels.set(key, ch)
  }
  return ch
}

function setup(
  o: { P?: number; maker?: bigint; taker?: bigint; maxOpenOrders?: number; amount?: bigint } = {},
) {
  const P = o.P ?? 5
  const channel = channelFor(P, o.maker ?? 2n, o.taker ?? 5n, o.maxOpenOrders ?? 1000)
  const records = testDeposits(P, 2, o.amount ?? D)
  const state = new ChannelState(channel)
  state.creditGenesis(records)
  let seq = 0n
  const ctx = (author: number): OpContext => {
    seq += 1n // one counter for everyone: order keys then sort by placement time
    return { author, seq, index: 0, height: 0, block: `b${seq}`, time: 0n }
  }
  for (let p = 0; p < P; p++) for (let t = 0; t < 2; t++) expect(state.holdings(p, t)).toBe(o.amount ?? D)
  const h = {
    state,
    ctx,
    /** Places an order and returns its reject code, its key and the cancel op naming it. */
    place(author: number, side: Side, price: bigint, qty: bigint, more: Partial<PlaceOp> = {}) {
      const c = ctx(author)
      const op: PlaceOp = {
        tag: OpTag.Place,
        market: 0,
        side,
        kind: OrderKind.Limit,
        tif: TimeInForce.GTC,
        price,
        qty,
        ...more,
      }
      const trades = state.trades.length
      const r = state.apply(op, c)
      const cancel: CancelOp = { tag: OpTag.Cancel, orderSeq: c.seq, orderIndex: 0 }
      return { r, key: `${author}:${c.seq}:0`, cancel, trades: state.trades.slice(trades) }
    },
    cancel: (author: number, op: CancelOp) => state.apply(op, ctx(author)),
    avail: (p: number, t: number) => state.avail[p * state.T + t]!,
    reserved: (p: number, t: number) => state.reserved[p * state.T + t]!,
    book: () => state.books[0]!,
    resting: () =>
      [...state.books[0]!.orders()].map((o) => `${o.key}:${o.side ? 'S' : 'B'}${o.price}x${o.remaining}`),
  }
  return h
}
const fee = (quote: bigint, bps: bigint) => (quote * bps) / BPS

describe('price-time priority', () => {
  it('fills the better price first, then the earlier order at one price', () => {
    const h = setup()
    const worse = h.place(1, Side.Sell, 10_100n, 5n) // placed first, worse price
    const first = h.place(2, Side.Sell, 10_000n, 5n)
    const second = h.place(3, Side.Sell, 10_000n, 5n)
    const { r, trades } = h.place(4, Side.Buy, 10_100n, 12n)
    expect(r).toBe(Reject.None)
    expect(trades.map((t) => [t.makerOrder, t.price, t.qty])).toEqual([
      [first.key, 10_000n, 5n],
      [second.key, 10_000n, 5n],
      [worse.key, 10_100n, 2n],
    ])
    // the worse-priced maker is partially filled and keeps its place
    expect(h.resting()).toEqual([`${worse.key}:S10100x3`])
  })

  it('on the bid side too: higher bids first, FIFO within a level', () => {
    const h = setup()
    const a = h.place(1, Side.Buy, 9_900n, 2n)
    const b = h.place(2, Side.Buy, 10_000n, 2n)
    const c = h.place(3, Side.Buy, 9_900n, 2n)
    const d = h.place(3, Side.Buy, 10_000n, 2n)
    const { trades } = h.place(4, Side.Sell, 9_900n, 7n)
    expect(trades.map((t) => t.makerOrder)).toEqual([b.key, d.key, a.key, c.key])
    expect(trades.map((t) => t.qty)).toEqual([2n, 2n, 2n, 1n])
    expect(h.resting()).toEqual([`${c.key}:B9900x1`])
  })

  it('a level emptied by cancels in the middle keeps FIFO for the rest', () => {
    const h = setup()
    const keys = [1, 2, 3, 1, 2].map((p) => h.place(p, Side.Sell, 10_000n, 1n))
    expect(h.cancel(2, keys[1]!.cancel)).toBe(Reject.None)
    expect(h.cancel(1, keys[3]!.cancel)).toBe(Reject.None)
    const { trades } = h.place(4, Side.Buy, 10_000n, 3n)
    expect(trades.map((t) => t.makerOrder)).toEqual([keys[0]!.key, keys[2]!.key, keys[4]!.key])
    expect(h.book().asks).toHaveLength(0)
  })
})

describe('fills: maker price, partial fills, time in force', () => {
  it('trades at the maker price and returns the unused part of a buy reservation', () => {
    const h = setup()
    h.place(1, Side.Sell, 10_000n, 4n)
    const { trades } = h.place(2, Side.Buy, 10_500n, 4n)
    expect(trades.map((t) => t.price)).toEqual([10_000n])
    const quote = 4n * 10_000n
    expect(h.avail(2, QUOTE)).toBe(D - quote - fee(quote, 5n))
    expect(h.avail(2, BASE)).toBe(D + 4n * LOT)
    expect(h.reserved(2, QUOTE)).toBe(0n)
    expect(h.avail(1, QUOTE)).toBe(D + quote - fee(quote, 2n))
    expect(h.avail(1, BASE)).toBe(D - 4n * LOT)
    expect(h.reserved(1, BASE)).toBe(0n)
  })

  it('GTC: the unfilled remainder rests at its limit price with what is left of its reservation', () => {
    const h = setup()
    h.place(1, Side.Sell, 10_000n, 3n)
    const bid = h.place(2, Side.Buy, 10_100n, 10n)
    expect(bid.trades.map((t) => t.qty)).toEqual([3n])
    expect(h.resting()).toEqual([`${bid.key}:B10100x7`])
    const notional = 10n * 10_100n
    const paid = 3n * 10_000n + fee(3n * 10_000n, 5n)
    const left = notional + fee(notional, 5n) - paid
    expect(h.book().byKey.get(bid.key)!.reserved).toBe(left)
    expect(h.reserved(2, QUOTE)).toBe(left)
    expect(h.avail(2, QUOTE)).toBe(D - notional - fee(notional, 5n))
  })

  it('IOC: the remainder is released, nothing rests', () => {
    const h = setup()
    h.place(1, Side.Sell, 10_000n, 3n)
    const ioc = h.place(2, Side.Buy, 10_000n, 10n, { tif: TimeInForce.IOC })
    expect(ioc.r).toBe(Reject.None)
    expect(ioc.trades.map((t) => t.qty)).toEqual([3n])
    expect(h.resting()).toEqual([])
    expect(h.reserved(2, QUOTE)).toBe(0n)
    expect(h.avail(2, QUOTE)).toBe(D - 30_000n - fee(30_000n, 5n))
    expect(h.state.openOrders[2]).toBe(0)
    // an IOC sell that does not cross at all is accepted and changes no balance
    const quiet = h.place(3, Side.Sell, 20_000n, 1n, { tif: TimeInForce.IOC })
    expect(quiet.r).toBe(Reject.None)
    expect(h.avail(3, BASE)).toBe(D)
  })

  it('market buy stops at its protection price; the rest is released and never rests', () => {
    const h = setup()
    h.place(1, Side.Sell, 10_000n, 3n)
    h.place(2, Side.Sell, 10_100n, 3n)
    const far = h.place(3, Side.Sell, 10_500n, 3n)
    const m = h.place(4, Side.Buy, 10_100n, 9n, { kind: OrderKind.Market })
    expect(m.trades.map((t) => [t.price, t.qty])).toEqual([
      [10_000n, 3n],
      [10_100n, 3n],
    ])
    expect(h.resting()).toEqual([`${far.key}:S10500x3`])
    const paid = 30_000n + fee(30_000n, 5n) + 30_300n + fee(30_300n, 5n)
    expect(h.avail(4, QUOTE)).toBe(D - paid)
    expect(h.reserved(4, QUOTE)).toBe(0n)
  })

  it('market sell stops at its protection price', () => {
    const h = setup()
    h.place(1, Side.Buy, 10_000n, 3n)
    const low = h.place(2, Side.Buy, 9_900n, 3n)
    const m = h.place(3, Side.Sell, 9_950n, 10n, { kind: OrderKind.Market, tif: TimeInForce.GTC })
    expect(m.trades.map((t) => [t.price, t.qty])).toEqual([[10_000n, 3n]])
    expect(h.resting()).toEqual([`${low.key}:B9900x3`])
    expect(h.avail(3, BASE)).toBe(D - 3n * LOT)
    expect(h.reserved(3, BASE)).toBe(0n)
  })
})

describe('self-trade prevention', () => {
  it('cancels the resting own order and keeps matching others', () => {
    const h = setup()
    const own = h.place(1, Side.Sell, 10_000n, 5n)
    const other = h.place(2, Side.Sell, 10_000n, 5n)
    expect(h.reserved(1, BASE)).toBe(5n * LOT)
    const buy = h.place(1, Side.Buy, 10_000n, 3n)
    expect(buy.trades.map((t) => [t.maker, t.taker, t.makerOrder])).toEqual([[2, 1, other.key]])
    expect(h.book().byKey.has(own.key)).toBe(false)
    expect(h.state.openOrders[1]).toBe(0)
    // the cancelled ask's base is back, plus what was bought
    expect(h.reserved(1, BASE)).toBe(0n)
    expect(h.avail(1, BASE)).toBe(D + 3n * LOT)
  })

  it('with only own liquidity, no trade happens and the incoming order rests', () => {
    const h = setup()
    h.place(1, Side.Buy, 10_000n, 2n)
    const sell = h.place(1, Side.Sell, 9_000n, 2n)
    expect(sell.trades).toEqual([])
    expect(h.resting()).toEqual([`${sell.key}:S9000x2`])
    expect(h.avail(1, QUOTE)).toBe(D)
  })
})

describe('fees', () => {
  it('maker and taker fees are floored and credited to the fee recipient', () => {
    const h = setup()
    h.place(1, Side.Sell, 12_345n, 7n)
    const { trades } = h.place(2, Side.Buy, 12_345n, 7n)
    const quote = 7n * 12_345n // 86415
    expect(trades).toHaveLength(1)
    expect(trades[0]!.makerFee).toBe(17n) // floor(86415 × 2 / 10000) = floor(17.283)
    expect(trades[0]!.takerFee).toBe(43n) // floor(86415 × 5 / 10000) = floor(43.2075)
    expect(h.avail(1, QUOTE)).toBe(D + quote - 17n)
    expect(h.avail(2, QUOTE)).toBe(D - quote - 43n)
    expect(h.avail(0, QUOTE)).toBe(D + 60n)
    // base moves without fee
    expect(h.avail(2, BASE)).toBe(D + 7n * LOT)
    expect(h.avail(1, BASE)).toBe(D - 7n * LOT)
  })

  it('a sell taker pays the taker fee out of its proceeds', () => {
    const h = setup()
    h.place(1, Side.Buy, 9_999n, 3n)
    const { trades } = h.place(2, Side.Sell, 9_999n, 3n)
    const quote = 3n * 9_999n
    expect(trades[0]!.takerFee).toBe(fee(quote, 5n))
    expect(h.avail(2, QUOTE)).toBe(D + quote - fee(quote, 5n))
    expect(h.avail(1, QUOTE)).toBe(D - quote - fee(quote, 2n))
    expect(h.avail(0, QUOTE)).toBe(D + fee(quote, 5n) + fee(quote, 2n))
  })

  it('a resting bid reserves the larger fee, so a maker fee above the taker fee is covered', () => {
    const h = setup({ maker: 1000n, taker: 0n })
    const bid = h.place(1, Side.Buy, 10_000n, 5n)
    expect(h.reserved(1, QUOTE)).toBe(50_000n + 5_000n)
    h.place(2, Side.Sell, 10_000n, 5n)
    expect(h.book().byKey.has(bid.key)).toBe(false)
    expect(h.reserved(1, QUOTE)).toBe(0n)
    expect(h.avail(1, QUOTE)).toBe(D - 55_000n)
    expect(h.avail(2, QUOTE)).toBe(D + 50_000n)
    expect(h.avail(0, QUOTE)).toBe(D + 5_000n)
  })
})

describe('reservations', () => {
  it('are held while an order rests and released exactly on cancel', () => {
    const h = setup()
    const before = [h.avail(1, BASE), h.avail(1, QUOTE)]
    const bid = h.place(1, Side.Buy, 10_007n, 13n)
    const ask = h.place(1, Side.Sell, 20_000n, 4n)
    expect(h.avail(1, QUOTE)).toBe(before[1]! - 13n * 10_007n - fee(13n * 10_007n, 5n))
    expect(h.avail(1, BASE)).toBe(before[0]! - 4n * LOT)
    expect(h.cancel(1, bid.cancel)).toBe(Reject.None)
    expect(h.cancel(1, ask.cancel)).toBe(Reject.None)
    expect([h.avail(1, BASE), h.avail(1, QUOTE)]).toEqual(before)
    expect([h.reserved(1, BASE), h.reserved(1, QUOTE)]).toEqual([0n, 0n])
    expect(h.state.openOrders[1]).toBe(0)
  })

  it('after a partial fill, cancel returns exactly what was not spent', () => {
    const h = setup()
    const bid = h.place(1, Side.Buy, 10_000n, 10n)
    h.place(2, Side.Sell, 9_000n, 4n) // fills at the maker's 10000
    expect(h.cancel(1, bid.cancel)).toBe(Reject.None)
    const spent = 40_000n + fee(40_000n, 2n)
    expect(h.avail(1, QUOTE)).toBe(D - spent)
    expect(h.reserved(1, QUOTE)).toBe(0n)
    expect(h.avail(1, BASE)).toBe(D + 4n * LOT)
  })
})

// ─── differential test against a naive reference book ────────────────────────────────────────────────────

type RefOrder = {
  key: string
  owner: number
  side: Side
  price: bigint
  remaining: bigint
  reserved: bigint
  t: number
}

/**
 * The order-book rules written as plainly as possible: re-sort the whole opposite side before every fill.
 * Slow but obviously right; the real book must agree with it op by op.
 */
class RefBook {
  avail: bigint[][]
  reserved: bigint[][]
  orders: RefOrder[] = []
  t = 0
  constructor(
    P: number,
    amount: bigint,
    readonly maker: bigint,
    readonly taker: bigint,
    readonly maxOpen: number,
  ) {
    this.avail = Array.from({ length: P }, () => [amount, amount])
    this.reserved = Array.from({ length: P }, () => [0n, 0n])
  }
  private opposite(side: Side): RefOrder[] {
    return this.orders
      .filter((o) => o.side !== side)
      .sort((a, b) => {
        if (a.price === b.price) return a.t - b.t
        // asks ascending for an incoming buy, bids descending for an incoming sell
        const aFirst = side === Side.Buy ? a.price < b.price : a.price > b.price
        return aFirst ? -1 : 1
      })
  }
  private release(o: RefOrder): void {
    const tok = o.side === Side.Buy ? QUOTE : BASE
    this.reserved[o.owner]![tok]! -= o.reserved
    this.avail[o.owner]![tok]! += o.reserved
    o.reserved = 0n
  }
  place(owner: number, key: string, op: PlaceOp): Reject {
    if (op.market !== 0) return Reject.UnknownMarket
    if (op.qty === 0n || op.price === 0n) return Reject.ZeroAmount
    const buy = op.side === Side.Buy
    const crossesAt = (p: bigint, limit: bigint) => (buy ? p <= limit : p >= limit)
    const best = this.opposite(op.side)[0]
    const crosses = best !== undefined && crossesAt(best.price, op.price)
    if (op.kind === OrderKind.Limit && op.tif === TimeInForce.PostOnly && crosses)
      return Reject.PostOnlyWouldCross
    if (op.kind === OrderKind.Market && !crosses) return Reject.NoLiquidity
    const rests = op.kind === OrderKind.Limit && op.tif !== TimeInForce.IOC
    if (rests && this.orders.filter((o) => o.owner === owner).length >= this.maxOpen)
      return Reject.TooManyOrders
    const maxFee = this.maker > this.taker ? this.maker : this.taker
    const notional = op.qty * op.price
    const reserve = buy ? notional + (notional * maxFee) / BPS : op.qty * LOT
    const tok = buy ? QUOTE : BASE
    if (this.avail[owner]![tok]! < reserve) return Reject.InsufficientFunds
    this.avail[owner]![tok]! -= reserve
    this.reserved[owner]![tok]! += reserve
    const me: RefOrder = {
      key,
      owner,
      side: op.side,
      price: op.price,
      remaining: op.qty,
      reserved: reserve,
      t: this.t++,
    }
    while (me.remaining > 0n) {
      const m = this.opposite(op.side)[0]
      if (!m || !crossesAt(m.price, op.price)) break
      if (m.owner === owner) {
        this.release(m)
        this.orders.splice(this.orders.indexOf(m), 1)
        continue
      }
      const q = me.remaining < m.remaining ? me.remaining : m.remaining
      const quote = q * m.price
      const [buyer, seller] = buy ? [me, m] : [m, me]
      const buyerFee = (quote * (buy ? this.taker : this.maker)) / BPS
      const sellerFee = (quote * (buy ? this.maker : this.taker)) / BPS
      buyer.reserved -= quote + buyerFee
      this.reserved[buyer.owner]![QUOTE]! -= quote + buyerFee
      this.avail[buyer.owner]![BASE]! += q * LOT
      seller.reserved -= q * LOT
      this.reserved[seller.owner]![BASE]! -= q * LOT
      this.avail[seller.owner]![QUOTE]! += quote - sellerFee
      this.avail[0]![QUOTE]! += buyerFee + sellerFee
      me.remaining -= q
      m.remaining -= q
      if (m.remaining === 0n) {
        this.release(m)
        this.orders.splice(this.orders.indexOf(m), 1)
      }
    }
    if (me.remaining > 0n && rests) this.orders.push(me)
    else this.release(me)
    return Reject.None
  }
  cancel(owner: number, key: string): Reject {
    const o = this.orders.find((x) => x.key === key && x.owner === owner)
    if (!o) return Reject.UnknownOrder
    this.release(o)
    this.orders.splice(this.orders.indexOf(o), 1)
    return Reject.None
  }
}

describe('the book agrees with a naive reference, op by op', () => {
  const action = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('place' as const),
        author: fc.integer({ min: 0, max: 3 }),
        op: fc.record({
          tag: fc.constant(OpTag.Place),
          market: fc.constantFrom(0, 0, 0, 0, 0, 1),
          side: fc.constantFrom(Side.Buy, Side.Sell),
          kind: fc.constantFrom(OrderKind.Limit, OrderKind.Limit, OrderKind.Limit, OrderKind.Market),
          tif: fc.constantFrom(TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.PostOnly),
          price: fc.oneof(
            { weight: 20, arbitrary: fc.integer({ min: -3, max: 3 }).map((k) => 10_000n + 50n * BigInt(k)) },
            fc.constant(0n),
          ),
          qty: fc.oneof({ weight: 20, arbitrary: fc.bigInt({ min: 1n, max: 8n }) }, fc.constantFrom(0n, 40n)),
        }) as fc.Arbitrary<PlaceOp>,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('cancel' as const),
        author: fc.integer({ min: 0, max: 3 }),
        pick: fc.nat(),
      }),
    },
  )
  const scenario = fc.record({
    fees: fc.constantFrom([2n, 5n], [0n, 0n], [1000n, 1n], [3n, 1000n]),
    maxOpen: fc.constantFrom(3, 1000),
    actions: fc.array(action, { minLength: 20, maxLength: 60 }),
  })

  it('same results, balances, reservations and resting orders after every op', () => {
    let trades = 0
    fc.assert(
      fc.property(scenario, ({ fees, maxOpen, actions }) => {
        // small balances, so that funds run out and InsufficientFunds paths are compared too
        const amount = 500_000n
        const h = setup({ P: 4, maker: fees[0], taker: fees[1], maxOpenOrders: maxOpen, amount })
        const ref = new RefBook(4, amount, fees[0]!, fees[1]!, maxOpen)
        for (const a of actions) {
          if (a.type === 'place') {
            const c = h.ctx(a.author)
            const key = `${a.author}:${c.seq}:0`
            const got = h.state.apply(a.op, c)
            expect(got).toBe(ref.place(a.author, key, a.op))
          } else {
            const keys = ref.orders.map((o) => o.key).sort()
            const key = keys[a.pick % (keys.length + 1)] ?? `${a.author}:999999:0`
            const orderSeq = BigInt(key.split(':')[1]!)
            expect(h.cancel(a.author, { tag: OpTag.Cancel, orderSeq, orderIndex: 0 })).toBe(
              ref.cancel(a.author, `${a.author}:${orderSeq}:0`),
            )
          }
          const real = [
            h.state.avail.join(),
            h.state.reserved.join(),
            ...[...h.book().orders()]
              .map((o) => `${o.key}/${o.side}/${o.price}/${o.remaining}/${o.reserved}`)
              .sort(),
          ]
          const model = [
            ref.avail.flat().join(),
            ref.reserved.flat().join(),
            ...ref.orders.map((o) => `${o.key}/${o.side}/${o.price}/${o.remaining}/${o.reserved}`).sort(),
          ]
          if (real.join('|') !== model.join('|')) expect(real).toEqual(model)
        }
        trades += h.state.trades.length
      }),
      { numRuns: 200 },
    )
    // the scenarios really trade
    expect(trades).toBeGreaterThan(500)
  })
})
