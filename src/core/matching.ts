import type { Order, OrderBook } from './book.ts'
import { OrderKind, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import type { OpContext, Trade } from './state.ts'

/**
 * The matching engine spot and perp orders share (spotOrders.ts, perps/orders.ts): the admission checks of an
 * incoming order (post-only, market, open-order cap), price-time matching at maker prices with self-trade prevention
 * (the resting order is cancelled, the incoming one keeps matching), the trade record, and resting what is left.
 * What a fill moves (reserved funds, or positions and margin) is the caller's {@link FillRule}.
 */

/** The part of the channel state the book's order flow reads and writes (ChannelState provides it). */
export interface MatchingHost {
  readonly channel: { readonly config: { readonly params: { readonly maxOpenOrders: number } } }
  books: OrderBook[]
  openOrders: number[]
  placed: number
  tradeCount: number
  trades: Trade[]
}

/** What an incoming order's admission decided: whether it crosses the book and whether what is left of it rests. */
export type Admission = { crosses: boolean; rests: boolean }

/** An incoming order's shape, common to PlaceOp and PerpPlaceOp. */
export type IncomingOrder = { side: Side; kind: OrderKind; tif: TimeInForce; price: bigint }

/**
 * Admits an incoming order on `book`, or returns why not: a post-only order that would cross (PostOnlyWouldCross), a
 * market order with nothing to cross (NoLiquidity), a resting order past the author's open-order cap (TooManyOrders).
 */
export function admitOrder(
  host: MatchingHost,
  book: OrderBook,
  op: IncomingOrder,
  author: number,
): Admission | Reject {
  const isBuy = op.side === Side.Buy
  const best = book.bestOpposite(op.side)
  const crosses = best !== undefined && (isBuy ? best.price <= op.price : best.price >= op.price)
  if (op.kind === OrderKind.Limit && op.tif === TimeInForce.PostOnly && crosses)
    return Reject.PostOnlyWouldCross
  if (op.kind === OrderKind.Market && !crosses) return Reject.NoLiquidity
  const rests = op.kind === OrderKind.Limit && op.tif !== TimeInForce.IOC
  if (rests && host.openOrders[author]! >= host.channel.config.params.maxOpenOrders)
    return Reject.TooManyOrders
  return { crosses, rests }
}

/** The incoming order of the op at `ctx`, keyed `author:seq:index` and next in price-time priority. */
export function takerOrder(
  host: MatchingHost,
  op: IncomingOrder & { qty: bigint },
  ctx: OpContext,
  reserved: bigint,
  reduceOnly?: boolean,
): Order {
  const taker: Order = {
    key: `${ctx.author}:${ctx.seq}:${ctx.index}`,
    owner: ctx.author,
    side: op.side,
    price: op.price,
    remaining: op.qty,
    reserved,
    placedAt: host.placed++,
  }
  if (reduceOnly !== undefined) taker.reduceOnly = reduceOnly
  return taker
}

/** A fill's quantity and the fees its maker and taker paid. */
export type Fill = { qty: bigint; makerFee: bigint; takerFee: bigint }

/** Why a {@link FillRule} made no fill at the best resting order. */
export const NoFill = {
  /** the resting order is cancelled ({@link FillRule.removeResting}) and matching goes on */
  CancelMaker: 0,
  /** matching ends; what is left of the taker may rest */
  End: 1,
  /** matching stops and what is left of the taker is dropped */
  Halt: 2,
} as const
export type NoFill = (typeof NoFill)[keyof typeof NoFill]

/** What a fill moves, which the order flow of each market kind decides. */
export interface FillRule {
  /** Makes a fill of at most `qty` between `maker` and `taker` at `price`, or says why none is made. */
  fill(maker: Order, taker: Order, price: bigint, qty: bigint): Fill | NoFill
  /** Takes `o` off the book of the market being matched (filled, cancelled, self-trade prevented). */
  removeResting(o: Order): void
}

/**
 * Fills `taker` against the opposite side of market `m`, best price first, FIFO within a level, at maker prices;
 * appends a trade per fill (block `block`). Returns true when the rule halted matching (the taker must not rest).
 */
export function matchOrder(
  host: MatchingHost,
  m: number,
  taker: Order,
  block: string,
  rule: FillRule,
): boolean {
  const book = host.books[m]!
  const isBuy = taker.side === Side.Buy
  while (taker.remaining > 0n) {
    const level = book.bestOpposite(taker.side)
    if (!level || (isBuy ? level.price > taker.price : level.price < taker.price)) break
    const maker = level.orders[level.head]!
    if (maker.owner === taker.owner) {
      rule.removeResting(maker)
      continue
    }
    const fill = rule.fill(
      maker,
      taker,
      level.price,
      taker.remaining < maker.remaining ? taker.remaining : maker.remaining,
    )
    if (typeof fill === 'number') {
      if (fill === NoFill.CancelMaker) {
        rule.removeResting(maker)
        continue
      }
      return fill === NoFill.Halt
    }
    const qty = fill.qty
    taker.remaining -= qty
    maker.remaining -= qty
    host.tradeCount++
    host.trades.push({
      market: m,
      price: level.price,
      qty,
      maker: maker.owner,
      taker: taker.owner,
      takerSide: taker.side,
      makerOrder: maker.key,
      takerOrder: taker.key,
      makerFee: fill.makerFee,
      takerFee: fill.takerFee,
      block,
    })
    if (maker.remaining === 0n) rule.removeResting(maker)
  }
  return false
}

/** Puts what is left of `taker` on market `m`'s book and counts it against its owner's open orders. */
export function restOrder(host: MatchingHost, m: number, taker: Order): void {
  host.books[m]!.insert(taker)
  host.openOrders[taker.owner]!++
}

/** Takes resting order `o` off market `m`'s book and out of its owner's open orders. */
export function unrestOrder(host: MatchingHost, m: number, o: Order): void {
  host.books[m]!.remove(o)
  host.openOrders[o.owner]!--
}
