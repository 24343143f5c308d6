import type { Order } from './book.ts'
import { type CancelOp, OrderKind, type PlaceOp, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import type { ChannelState, OpContext } from './state.ts'
import { U128_MAX } from './u128.ts'

/**
 * The spot markets' order flow in the fold: placing (reservation, price-time matching at maker prices, fees,
 * self-trade prevention) and cancelling limit, market, IOC and post-only orders on `s.books`. Each function either
 * performs the op completely or changes nothing and returns the reason.
 */

const BPS = 10_000n

export function placeSpot(s: ChannelState, op: PlaceOp, ctx: OpContext): Reject {
  const market = s.channel.config.markets[op.market]
  if (!market) return Reject.UnknownMarket
  if (market.kind === 'perp') return Reject.WrongMarketKind
  if (op.qty === 0n || op.price === 0n) return Reject.ZeroAmount
  const { params } = s.channel.config
  const book = s.books[op.market]!
  const isBuy = op.side === Side.Buy
  const best = book.bestOpposite(op.side)
  const crosses = best !== undefined && (isBuy ? best.price <= op.price : best.price >= op.price)
  if (op.kind === OrderKind.Limit && op.tif === TimeInForce.PostOnly && crosses)
    return Reject.PostOnlyWouldCross
  if (op.kind === OrderKind.Market && !crosses) return Reject.NoLiquidity
  const rests = op.kind === OrderKind.Limit && op.tif !== TimeInForce.IOC
  if (rests && s.openOrders[ctx.author]! >= params.maxOpenOrders) return Reject.TooManyOrders

  const maxFee = params.makerFeeBps > params.takerFeeBps ? params.makerFeeBps : params.takerFeeBps
  const token = isBuy ? market.quote : market.base
  // Worst case over every fill this order can get: bids pay at most their limit price plus the larger fee.
  const notional = op.qty * op.price * market.tickSize
  const reserve = isBuy ? notional + (notional * maxFee) / BPS : op.qty * market.lotSize
  if (reserve > U128_MAX || notional > U128_MAX) return Reject.AmountOutOfRange
  const ai = ctx.author * s.T + token
  if (s.avail[ai]! < reserve) return Reject.InsufficientFunds
  s.avail[ai]! -= reserve
  s.reserved[ai]! += reserve

  const taker: Order = {
    key: `${ctx.author}:${ctx.seq}:${ctx.index}`,
    owner: ctx.author,
    side: op.side,
    price: op.price,
    remaining: op.qty,
    reserved: reserve,
    placedAt: s.placed++,
  }
  if (crosses) match(s, taker, op.market, ctx.block)
  if (taker.remaining > 0n && rests) {
    book.insert(taker)
    s.openOrders[ctx.author]!++
  } else release(s, taker, token)
  return Reject.None
}

/** Fills `taker` against the opposite side at maker prices, best price first, FIFO within a level. */
function match(s: ChannelState, taker: Order, marketIndex: number, block: string): void {
  const market = s.channel.config.markets[marketIndex]!
  const { makerFeeBps, takerFeeBps, feeRecipient } = s.channel.config.params
  const book = s.books[marketIndex]!
  const isBuy = taker.side === Side.Buy
  const T = s.T
  while (taker.remaining > 0n) {
    const level = book.bestOpposite(taker.side)
    if (!level || (isBuy ? level.price > taker.price : level.price < taker.price)) break
    const maker = level.orders[level.head]!
    if (maker.owner === taker.owner) {
      // self-trade prevention: the resting order is cancelled, the incoming one keeps matching
      removeResting(s, maker, marketIndex)
      continue
    }
    const qty = taker.remaining < maker.remaining ? taker.remaining : maker.remaining
    const base = qty * market.lotSize
    const quote = qty * level.price * market.tickSize
    const makerFee = (quote * makerFeeBps) / BPS
    const takerFee = (quote * takerFeeBps) / BPS
    const buyer = isBuy ? taker : maker
    const seller = isBuy ? maker : taker
    const buyerFee = isBuy ? takerFee : makerFee
    const sellerFee = isBuy ? makerFee : takerFee
    // buyer pays quote + fee out of its reservation, receives base
    buyer.reserved -= quote + buyerFee
    s.reserved[buyer.owner * T + market.quote]! -= quote + buyerFee
    s.avail[buyer.owner * T + market.base]! += base
    // seller delivers base out of its reservation, receives quote − fee
    seller.reserved -= base
    s.reserved[seller.owner * T + market.base]! -= base
    s.avail[seller.owner * T + market.quote]! += quote - sellerFee
    s.avail[feeRecipient * T + market.quote]! += buyerFee + sellerFee
    if (s.lending) s.lending.spotLastTrade[marketIndex] = level.price
    taker.remaining -= qty
    maker.remaining -= qty
    s.tradeCount++
    s.trades.push({
      market: marketIndex,
      price: level.price,
      qty,
      maker: maker.owner,
      taker: taker.owner,
      takerSide: taker.side,
      makerOrder: maker.key,
      takerOrder: taker.key,
      makerFee,
      takerFee,
      block,
    })
    if (maker.remaining === 0n) removeResting(s, maker, marketIndex)
  }
}

function removeResting(s: ChannelState, o: Order, marketIndex: number): void {
  const market = s.channel.config.markets[marketIndex]!
  s.books[marketIndex]!.remove(o)
  s.openOrders[o.owner]!--
  release(s, o, o.side === Side.Buy ? market.quote : market.base)
}

/** Returns what is left of an order's reservation to its owner's available balance. */
function release(s: ChannelState, o: Order, token: number): void {
  if (o.reserved === 0n) return
  const i = o.owner * s.T + token
  s.reserved[i]! -= o.reserved
  s.avail[i]! += o.reserved
  o.reserved = 0n
}

export function cancelSpot(s: ChannelState, op: CancelOp, ctx: OpContext): Reject {
  const key = `${ctx.author}:${op.orderSeq}:${op.orderIndex}`
  for (let m = 0; m < s.books.length; m++) {
    const o = s.books[m]!.byKey.get(key)
    if (o) {
      removeResting(s, o, m)
      return Reject.None
    }
  }
  return Reject.UnknownOrder
}
