import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../core/ops.ts'
import type { Replica } from '../core/replica.ts'
import type { Rng } from '../core/sim/rng.ts'
import type { ChannelState } from '../core/state.ts'
import { liquidationOps } from './liquidator.ts'

export type Role = 'trader' | 'market-maker' | 'liquidator' | 'transfers'

export type StrategyParameters = {
  role: Role
  replica: Replica
  me: number
  rng: Rng
  /** the market traded (index into the channel's markets) */
  market?: number
  /** price in ticks used while the book and the trade history are empty */
  startPrice: bigint
  /** the market maker's half spread, in ticks */
  halfSpread?: bigint
  /** lots per order: 1 … maxLots */
  maxLots?: number
}

/**
 * The mark an agent trades around, in ticks: the last trade's price, else the book's mid (or its one side), else
 * `fallback`. Integer arithmetic only.
 */
export function markOf(state: ChannelState, market: number, fallback: bigint): bigint {
  for (let i = state.trades.length - 1; i >= 0; i--) {
    const t = state.trades[i]!
    if (t.market === market) return t.price
  }
  const book = state.books[market]
  const bid = book?.bids[0]?.price
  const ask = book?.asks[0]?.price
  if (bid !== undefined && ask !== undefined) return (bid + ask) / 2n
  return bid ?? ask ?? fallback
}

/**
 * The next ops of a headless participant, from what its replica shows now (pending state included, as a person
 * would see it). A trader sends a random flow: limit orders at or through the mark (some IOC), with random sides
 * and sizes, and cancels of its oldest resting order. A market maker keeps one bid and one ask `halfSpread` ticks
 * around the mark: each call cancels its resting orders that are off the current quotes and posts what is
 * missing. Orders the funds cannot cover are not sent. `transfers` (load for benchmarks) sends one base unit of
 * token 0 to the next participant while it holds any. A liquidator liquidates every unhealthy perp account and
 * loan the fold would let it (liquidator.ts).
 */
export function nextOps(p: StrategyParameters): Op[] {
  if (p.role === 'liquidator')
    return liquidationOps({ state: p.replica.state, clock: p.replica.clock, me: p.me })
  if (p.role === 'transfers') return transferOps(p.replica, p.me)
  const market = p.market ?? 0
  const state = p.replica.state
  const m = p.replica.channel.config.markets[market]
  if (!m) return []
  const mark = markOf(state, market, p.startPrice)
  const maxLots = BigInt(p.maxLots ?? 3)
  const own = [...(state.books[market]?.orders() ?? [])].filter((o) => o.owner === p.me)
  const T = state.T
  const avail = (token: number) => state.avail[p.me * T + token] ?? 0n
  // a buy reserves its notional plus the taker fee at most; keep a margin of 1 % for fees
  const canBuy = (price: bigint, qty: bigint) => qty * price * m.tickSize * 101n <= avail(m.quote) * 100n
  const canSell = (qty: bigint) => qty * m.lotSize <= avail(m.base)
  const place = (side: Side, price: bigint, qty: bigint, tif: TimeInForce): Op => ({
    tag: OpTag.Place,
    market,
    side,
    kind: OrderKind.Limit,
    tif,
    price,
    qty,
  })
  const cancel = (key: string): Op => {
    const [, seq, index] = key.split(':')
    return { tag: OpTag.Cancel, orderSeq: BigInt(seq!), orderIndex: Number(index) }
  }
  if (p.role === 'market-maker') {
    const half = p.halfSpread ?? 2n
    const bid = mark - half > 0n ? mark - half : 1n
    const ask = mark + half
    const qty = maxLots
    const out: Op[] = []
    let hasBid = false
    let hasAsk = false
    for (const o of own) {
      const keep = o.side === Side.Buy ? o.price === bid && !hasBid : o.price === ask && !hasAsk
      if (keep) {
        if (o.side === Side.Buy) hasBid = true
        else hasAsk = true
      } else out.push(cancel(o.key))
    }
    if (!hasBid && canBuy(bid, qty)) out.push(place(Side.Buy, bid, qty, TimeInForce.GTC))
    if (!hasAsk && canSell(qty)) out.push(place(Side.Sell, ask, qty, TimeInForce.GTC))
    return out
  }
  // trader: mostly orders at or through the mark, now and then a cancel of its oldest resting order
  if (own.length > 4 || (own.length > 0 && p.rng.int(0, 10) === 0)) return [cancel(own[0]!.key)]
  const side = p.rng.int(0, 2) === 0 ? Side.Buy : Side.Sell
  const offset = BigInt(p.rng.int(0, 4))
  const price = side === Side.Buy ? mark + offset : mark - offset > 0n ? mark - offset : 1n
  const qty = BigInt(p.rng.int(1, Number(maxLots) + 1))
  const tif = p.rng.int(0, 3) === 0 ? TimeInForce.GTC : TimeInForce.IOC
  if (side === Side.Buy ? !canBuy(price, qty) : !canSell(qty)) return []
  return [place(side, price, qty, tif)]
}

function transferOps(replica: Replica, me: number): Op[] {
  const state = replica.state
  if ((state.avail[me * state.T] ?? 0n) === 0n) return []
  return [{ tag: OpTag.Transfer, to: (me + 1) % state.P, token: 0, amount: 1n }]
}
