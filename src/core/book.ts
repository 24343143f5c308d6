import { Side } from './ops.ts'

/** A resting order. `reserved` is what remains locked for it: quote funds for bids, base funds for asks. */
export type Order = {
  key: string
  owner: number
  side: Side
  price: bigint
  remaining: bigint
  reserved: bigint
  /** canonical placement counter: price-time priority within a level */
  placedAt: number
  /** perp orders only: fills are clipped to the owner's position and never grow it */
  reduceOnly?: boolean
}

export type Level = { price: bigint; orders: Order[]; head: number }

/**
 * One market's resting orders: bids sorted by descending price, asks ascending, each level FIFO. The book only
 * stores and finds orders; funds and fills are the state machine's business (state.ts).
 */
export class OrderBook {
  bids: Level[] = []
  asks: Level[] = []
  readonly byKey = new Map<string, Order>()

  levels(side: Side): Level[] {
    return side === Side.Buy ? this.bids : this.asks
  }

  /** Best level on the side opposite to an incoming order of `side`, or undefined. */
  bestOpposite(side: Side): Level | undefined {
    return side === Side.Buy ? this.asks[0] : this.bids[0]
  }

  insert(o: Order): void {
    const levels = this.levels(o.side)
    const better = o.side === Side.Buy ? (a: bigint, b: bigint) => a > b : (a: bigint, b: bigint) => a < b
    let lo = 0
    let hi = levels.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const p = levels[mid]!.price
      if (p === o.price) {
        levels[mid]!.orders.push(o)
        this.byKey.set(o.key, o)
        return
      }
      if (better(p, o.price)) lo = mid + 1
      else hi = mid
    }
    levels.splice(lo, 0, { price: o.price, orders: [o], head: 0 })
    this.byKey.set(o.key, o)
  }

  /** Removes an order (filled or cancelled) from its level; drops the level when it empties. */
  remove(o: Order): void {
    this.byKey.delete(o.key)
    const levels = this.levels(o.side)
    const li = this.findLevel(levels, o.price, o.side)
    if (li < 0) return
    const level = levels[li]!
    const at = level.orders.indexOf(o, level.head)
    if (at < 0) return
    if (at === level.head) {
      level.head++
      // compact lazily so FIFO pops stay O(1) amortised
      if (level.head > 32 && level.head * 2 > level.orders.length) {
        level.orders = level.orders.slice(level.head)
        level.head = 0
      }
    } else level.orders.splice(at, 1)
    if (level.head >= level.orders.length) levels.splice(li, 1)
  }

  private findLevel(levels: Level[], price: bigint, side: Side): number {
    let lo = 0
    let hi = levels.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const p = levels[mid]!.price
      if (p === price) return mid
      if (side === Side.Buy ? p > price : p < price) lo = mid + 1
      else hi = mid
    }
    return -1
  }

  clone(): OrderBook {
    const out = new OrderBook()
    const copyLevels = (levels: Level[]) =>
      levels.map((l) => {
        const orders: Order[] = []
        for (let i = l.head; i < l.orders.length; i++) {
          const o = { ...l.orders[i]! }
          orders.push(o)
          out.byKey.set(o.key, o)
        }
        return { price: l.price, orders, head: 0 }
      })
    out.bids = copyLevels(this.bids)
    out.asks = copyLevels(this.asks)
    return out
  }

  /** Resting orders in canonical order: bids best-first, then asks best-first, FIFO within a level. */
  *orders(): Generator<Order> {
    for (const levels of [this.bids, this.asks])
      for (const l of levels) for (let i = l.head; i < l.orders.length; i++) yield l.orders[i]!
  }
}
