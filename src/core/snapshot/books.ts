import type { Order } from '../book.ts'
import { Side } from '../ops.ts'
import type { ChannelState } from '../state.ts'
import type { Reader, Writer } from './bytesIO.ts'

/**
 * The order books of a state snapshot: per market its resting orders in canonical order (bids best-first, then
 * asks best-first, FIFO within a level), each with everything the book and the fold read later: key, owner, side,
 * price, remaining lots, reservation, placement counter and the reduce-only flag of perp orders.
 */
export function writeBooks(w: Writer, s: ChannelState): void {
  for (const book of s.books) {
    w.num(book.byKey.size, 4)
    for (const o of book.orders()) {
      w.str(o.key)
      w.num(o.owner, 2)
      w.num(o.side, 1)
      w.uint(o.price, 8)
      w.uint(o.remaining, 8)
      w.uint(o.reserved, 16)
      w.num(o.placedAt, 6)
      w.num(o.reduceOnly ? 1 : 0, 1)
    }
  }
}

/** Reads what writeBooks wrote into the (empty) books of a fresh state. */
export function readBooks(r: Reader, s: ChannelState): void {
  for (const book of s.books) {
    const n = r.num(4)
    for (let k = 0; k < n; k++) {
      const key = r.str()
      const o: Order = {
        key,
        owner: r.num(2),
        side: r.num(1) as Side,
        price: r.uint(8),
        remaining: r.uint(8),
        reserved: r.uint(16),
        placedAt: r.num(6),
      }
      const reduceOnly = r.num(1)
      r.check(reduceOnly <= 1, 'bad reduce-only flag')
      if (reduceOnly === 1) o.reduceOnly = true
      r.check(o.owner < s.P && (o.side === Side.Buy || o.side === Side.Sell), 'order out of range')
      // the root holds the key, not the owner (whom a fill pays): the fold makes the key `${owner}:seq:index`
      r.check(key.startsWith(`${o.owner}:`), 'order owner differs from its key')
      r.check(o.price > 0n && o.remaining > 0n && !book.byKey.has(key), 'invalid resting order')
      book.insert(o)
    }
  }
}
