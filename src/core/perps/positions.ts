/**
 * Perp positions: one per (trader, market), kept as a signed size in lots and a signed cost basis in quote units
 * (what the open lots cost: positive for longs, negative for shorts). The entry price is derived from them; a fill
 * that reduces the position realizes PnL into the margin account.
 *
 * Accounting identity (what conservation rests on): every fill changes `margin − cost` of its account by exactly
 * −cash, the quote the account paid for it, whatever rounding the cost split uses. Cash of the two sides of a fill
 * sums to zero, sizes of every market sum to zero, so Σ over accounts of margin + size·mark·tick − cost (the equity
 * at any mark) never changes through trading.
 */

export type Position = {
  /** lots, signed: > 0 long, < 0 short */
  size: bigint
  /** quote units paid for the open lots, signed like size */
  cost: bigint
  /** the market's cumulative funding per lot when funding was last settled into this position */
  fundingSnap: bigint
  /** PnL realized by reducing fills and liquidations, cumulative (quote units) */
  realized: bigint
  /** funding paid (> 0) or received (< 0), cumulative (quote units) */
  fundingPaid: bigint
}

export const I128_MAX = (1n << 127n) - 1n
/** Bound on any order's notional (quote units): products of a few of them stay far inside i128. */
export const MAX_NOTIONAL = 1n << 100n
/** Bound on a position's size (lots) and on |cost| (quote units): keeps every sum of them inside i128. */
export const MAX_SIZE = 1n << 64n
export const MAX_COST = 1n << 110n

export const emptyPosition = (cum: bigint): Position => ({
  size: 0n,
  cost: 0n,
  fundingSnap: cum,
  realized: 0n,
  fundingPaid: 0n,
})

export const abs = (x: bigint): bigint => (x < 0n ? -x : x)
export const sign = (x: bigint): bigint => (x > 0n ? 1n : x < 0n ? -1n : 0n)

/** Funding a position owes since its snapshot at cumulative funding `cum` (> 0: it pays). */
export function accruedFunding(p: Position, cum: bigint): bigint {
  return p.size * (cum - p.fundingSnap)
}

/**
 * The position after a fill of `delta` lots (> 0 buys) for which the account pays `cash` quote units (< 0: it
 * receives), and the PnL the fill realizes (to be added to the margin account). Funding must be settled first.
 * The part of `delta` that closes open lots removes their share of the cost basis (truncated); the rest opens
 * lots on the new side at its share of the cash.
 */
export function applyFill(p: Position, delta: bigint, cash: bigint): { next: Position; realized: bigint } {
  const reducing = p.size !== 0n && sign(delta) !== sign(p.size)
  const closeQty = reducing ? (abs(delta) < abs(p.size) ? abs(delta) : abs(p.size)) : 0n
  const cashClose = closeQty === 0n ? 0n : (cash * closeQty) / abs(delta)
  const cashOpen = cash - cashClose
  const costClosed = closeQty === 0n ? 0n : (p.cost * closeQty) / abs(p.size)
  const realized = closeQty === 0n ? 0n : -cashClose - costClosed
  const size = p.size + delta
  // a position that closes completely carries no cost; rounding leftovers of the basis are realized with it
  let cost = p.cost - costClosed + cashOpen
  let extra = 0n
  if (size === 0n) {
    extra = -cost
    cost = 0n
  }
  return {
    next: {
      size,
      cost,
      fundingSnap: p.fundingSnap,
      realized: p.realized + realized + extra,
      fundingPaid: p.fundingPaid,
    },
    realized: realized + extra,
  }
}

/** Whether a fill only shrinks the position (never grows it or flips its side). */
export function isReducing(before: bigint, after: bigint): boolean {
  return after === 0n || (sign(after) === sign(before) && abs(after) <= abs(before))
}

/** Lots of a `side`-signed order (+1 buy, −1 sell) that reduce a position of `size`: 0 when it would not. */
export function reducible(size: bigint, dir: bigint): bigint {
  return sign(size) === -dir ? abs(size) : 0n
}

/** Average entry price in ticks (truncated), 0 for a flat position: for display. */
export function entryPrice(p: Position, tickSize: bigint): bigint {
  return p.size === 0n ? 0n : abs(p.cost) / (abs(p.size) * tickSize)
}

/** Unrealized PnL at `mark`, including funding accrued since the position's snapshot. */
export function unrealizedPnl(p: Position, mark: bigint, tickSize: bigint, cum: bigint): bigint {
  return p.size * mark * tickSize - p.cost - accruedFunding(p, cum)
}

/** Whether a position's stored values stay within the bounds the fold keeps (settleable as i128). */
export function inBounds(p: Position): boolean {
  return abs(p.size) <= MAX_SIZE && abs(p.cost) <= MAX_COST
}
