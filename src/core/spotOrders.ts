import type { Order } from './book.ts'
import type { Market } from './channel.ts'
import {
  admitOrder,
  type Fill,
  type FillRule,
  matchOrder,
  restOrder,
  takerOrder,
  unrestOrder,
} from './matching.ts'
import { type CancelOp, type PlaceOp, Side } from './ops.ts'
import { Reject } from './reasons.ts'
import type { ChannelState, OpContext } from './state.ts'
import { U128_MAX } from './u128.ts'

/**
 * The spot markets' order flow in the fold: placing (reservation, then the shared matching engine of matching.ts
 * with fills paid out of reservations, fees) and cancelling limit, market, IOC and post-only orders on `s.books`. Each function either
 * performs the op completely or changes nothing and returns the reason.
 */

const BPS = 10_000n

export function placeSpot(s: ChannelState, op: PlaceOp, ctx: OpContext): Reject {
  const market = s.channel.config.markets[op.market]
  if (!market) return Reject.UnknownMarket
  if (market.kind === 'perp') return Reject.WrongMarketKind
  if (op.qty === 0n || op.price === 0n) return Reject.ZeroAmount
  const { params } = s.channel.config
  const admission = admitOrder(s, s.books[op.market]!, op, ctx.author)
  if (typeof admission === 'number') return admission

  const isBuy = op.side === Side.Buy
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

  const taker = takerOrder(s, op, ctx, reserve)
  if (admission.crosses) matchOrder(s, op.market, taker, ctx.block, new SpotFills(s, op.market))
  if (taker.remaining > 0n && admission.rests) restOrder(s, op.market, taker)
  else release(s, taker, token)
  return Reject.None
}

/** A spot fill: the buyer pays quote plus its fee out of its reservation, the seller delivers base out of its own. */
class SpotFills implements FillRule {
  private readonly market: Market
  constructor(
    private readonly s: ChannelState,
    private readonly m: number,
  ) {
    this.market = s.channel.config.markets[m]!
  }

  fill(maker: Order, taker: Order, price: bigint, qty: bigint): Fill {
    const { s, market } = this
    const { makerFeeBps, takerFeeBps, feeRecipient } = s.channel.config.params
    const T = s.T
    const isBuy = taker.side === Side.Buy
    const base = qty * market.lotSize
    const quote = qty * price * market.tickSize
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
    if (s.lending) s.lending.spotLastTrade[this.m] = price
    return { qty, makerFee, takerFee }
  }

  removeResting(o: Order): void {
    removeResting(this.s, o, this.m)
  }
}

function removeResting(s: ChannelState, o: Order, marketIndex: number): void {
  const market = s.channel.config.markets[marketIndex]!
  unrestOrder(s, marketIndex, o)
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
