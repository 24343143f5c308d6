import type { Order } from '../book.ts'
import { marginAccount, meetsInitial } from '../margin/account.ts'
import {
  admitOrder,
  type Fill,
  type FillRule,
  matchOrder,
  NoFill,
  restOrder,
  takerOrder,
  unrestOrder,
} from '../matching.ts'
import { type PerpPlaceOp, Side } from '../ops.ts'
import { Reject } from '../reasons.ts'
import type { OpContext } from '../state.ts'
import type { Host, PerpsState } from './engine.ts'
import { applyFill, inBounds, isReducing, MAX_NOTIONAL, type Position, reducible } from './positions.ts'

/**
 * Perp orders on the same matching engine as spot (matching.ts, book.ts: price-time priority, FIFO per level; limit,
 * market, IOC, post-only; self-trade prevention cancels the resting order; maker prices; fees in bps of the notional).
 * No funds are reserved for a resting perp order: margin is checked at every fill instead —
 * - the taker's order is refused (LeverageTooHigh) when a full fill at its limit price would breach initial margin;
 * - a fill that would grow or flip a position beyond initial margin is not made: for a maker its resting order is
 *   cancelled (like self-trade prevention) and matching goes on, for the taker matching stops;
 * - a reduce-only order is refused unless it shrinks the position, and each of its fills (resting ones too) is
 *   clipped to what is left of the position; one with nothing left to reduce is cancelled.
 * Fees move from the margin accounts to the fee recipient's ledger balance of the collateral token.
 */
export function placePerp(host: Host, ps: PerpsState, op: PerpPlaceOp, ctx: OpContext): Reject {
  const m = op.market
  const market = host.channel.config.markets[m]
  if (!market) return Reject.UnknownMarket
  if (!ps.isPerp(m)) return Reject.WrongMarketKind
  if (op.qty === 0n || op.price === 0n) return Reject.ZeroAmount
  if (ps.mark(m) === undefined) return Reject.NoPrice
  const tick = market.tickSize
  const notional = op.qty * op.price * tick
  if (notional > MAX_NOTIONAL) return Reject.AmountOutOfRange
  const { params } = host.channel.config
  const book = host.books[m]!
  const isBuy = op.side === Side.Buy
  const dir = isBuy ? 1n : -1n
  const admission = admitOrder(host, book, op, ctx.author)
  if (typeof admission === 'number') return admission
  const pos = ps.position(ctx.author, m)
  if (op.reduceOnly && reducible(pos.size, dir) < op.qty) return Reject.ReduceOnly
  // worst case for the taker: the whole order fills at its limit price, paying the taker fee
  const takerFeeMax = (notional * params.takerFeeBps) / 10_000n
  const worst = trial(host, ps, ctx.author, m, dir * op.qty, dir * notional, takerFeeMax, ps.collateral)
  if (!worst) return Reject.AmountOutOfRange
  if (!worst.reducing && !worst.withinMargin) return Reject.LeverageTooHigh

  const taker = takerOrder(host, op, ctx, 0n, op.reduceOnly)
  const halted = admission.crosses && matchOrder(host, m, taker, ctx.block, new PerpFills(host, ps, m))
  if (taker.remaining > 0n && admission.rests && !halted) restOrder(host, m, taker)
  return Reject.None
}

type Trial = { next: Position; realized: bigint; fee: bigint; reducing: boolean; withinMargin: boolean }

/**
 * The effect of a fill on account p (funding settled first), without applying it; undefined if out of bounds.
 * The fee is capped by what the account's equity after the fill and the margin accounts' collateral in total
 * (`feeRoom`) can pay, so fees never create debt nor take out more than the margin accounts hold.
 */
function trial(
  host: Host,
  ps: PerpsState,
  p: number,
  m: number,
  delta: bigint,
  cash: bigint,
  fee: bigint,
  feeRoom: bigint,
): Trial | undefined {
  ps.settleFunding(p, m)
  const before = ps.position(p, m)
  const { next, realized } = applyFill(before, delta, cash)
  if (!inBounds(next)) return undefined
  const reducing = isReducing(before.size, next.size)
  const a = marginAccount(host, p, 'perps', { market: m, position: next, marginDelta: realized })
  let charged = fee
  if (charged > a.equity) charged = a.equity > 0n ? a.equity : 0n
  if (charged > feeRoom) charged = feeRoom > 0n ? feeRoom : 0n
  a.equity -= charged
  // fees are paid from the margin account: a fill that adds risk must pay its fee in full there (netted loans and
  // supplies back the position, not the fee); with perps alone the initial inequality already implies it
  const paid = charged === fee
  return { next, realized, fee: charged, reducing, withinMargin: paid && meetsInitial(a, ps.maxLeverage) }
}

/**
 * A perp fill, clipped for reduce-only orders: both sides' positions and margin move and the fees go to the fee
 * recipient, unless the fill would take the maker (its order is cancelled) or the taker (matching halts) past
 * initial margin without reducing.
 */
class PerpFills implements FillRule {
  private readonly tick: bigint
  private readonly feeIndex: number
  constructor(
    private readonly host: Host,
    private readonly ps: PerpsState,
    private readonly m: number,
  ) {
    this.tick = ps.tick(m)
    this.feeIndex = host.channel.config.params.feeRecipient * host.T + ps.params.collateralToken
  }

  fill(maker: Order, taker: Order, price: bigint, qty: bigint): Fill | NoFill {
    const { host, ps, m } = this
    const { makerFeeBps, takerFeeBps } = host.channel.config.params
    const dir = taker.side === Side.Buy ? 1n : -1n
    if (maker.reduceOnly) {
      const r = reducible(ps.position(maker.owner, m).size, -dir)
      if (r === 0n) return NoFill.CancelMaker
      if (r < qty) qty = r
    }
    if (taker.reduceOnly) {
      const r = reducible(ps.position(taker.owner, m).size, dir)
      if (r === 0n) return NoFill.End
      if (r < qty) qty = r
    }
    const quote = qty * price * this.tick
    const makerFee = (quote * makerFeeBps) / 10_000n
    const takerFee = (quote * takerFeeBps) / 10_000n
    const mk = trial(host, ps, maker.owner, m, -dir * qty, -dir * quote, makerFee, ps.collateral)
    if (!mk || (!mk.reducing && !mk.withinMargin)) return NoFill.CancelMaker
    const tk = trial(host, ps, taker.owner, m, dir * qty, dir * quote, takerFee, ps.collateral - mk.fee)
    if (!tk || (!tk.reducing && !tk.withinMargin)) return NoFill.Halt
    ps.setPosition(maker.owner, m, mk.next)
    ps.margin[maker.owner]! += mk.realized - mk.fee
    ps.setPosition(taker.owner, m, tk.next)
    ps.margin[taker.owner]! += tk.realized - tk.fee
    ps.collateral -= mk.fee + tk.fee
    host.avail[this.feeIndex]! += mk.fee + tk.fee
    ps.lastTrade[m] = price
    return { qty, makerFee: mk.fee, takerFee: tk.fee }
  }

  removeResting(o: Order): void {
    unrestOrder(this.host, this.m, o)
  }
}
