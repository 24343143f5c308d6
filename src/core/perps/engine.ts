import type { OrderBook } from '../book.ts'
import type { Channel, PerpParams } from '../channel.ts'
import { type MarginHost, marginAccount, meetsInitial } from '../margin/account.ts'
import { Reject } from '../reasons.ts'
import type { Trade } from '../state.ts'
import { advanceFunding, type FundingState } from './funding.ts'
import { markPrice } from './markPrice.ts'
import { accruedFunding, emptyPosition, type Position } from './positions.ts'

/** One funding payment of a market: `rate` per lot and interval (> 0: longs paid shorts), at that mark and index. */
export type FundingEvent = {
  /** the clock epoch funding was paid up to, and how many intervals this payment covered */
  epoch: bigint
  intervals: bigint
  rate: bigint
  /** the market's cumulative funding per lot after it */
  cum: bigint
  mark: bigint
  index: bigint
  /** Σ of long sizes (lots) during those intervals = Σ of short sizes */
  openInterest: bigint
  /**
   * what the longs paid the shorts in total (quote units; < 0: the shorts paid the longs):
   * (cum after − cum before) · openInterest, the exact sum of what the positions accrue for it
   */
  paid: bigint
}

/** How many funding payments per market the state remembers for display. */
export const FUNDING_HISTORY = 48

/**
 * What the perps state machine needs of the channel's ledger and books, and of the lending pool the margin account
 * nets with (margin/account.ts; ChannelState provides it).
 */
export interface Host extends MarginHost {
  readonly channel: Channel
  readonly T: number
  avail: bigint[]
  books: OrderBook[]
  openOrders: number[]
  placed: number
  tradeCount: number
  trades: Trade[]
}

/**
 * The perp side of the channel state, a sibling of the order book: margin accounts, positions per (trader,
 * market), per-market oracle price, last trade, funding, and the insurance fund. Position objects are replaced,
 * never mutated, so a clone copies arrays only. Everything is bigint; nothing iterates a Map.
 */
export class PerpsState {
  readonly params: PerpParams
  readonly maxLeverage: bigint
  /** indexes of the perp markets, ascending */
  readonly perpMarkets: number[]
  /** number of markets (spot and perp): positions are indexed p · M + m */
  readonly M: number
  readonly P: number
  margin: bigint[]
  positions: (Position | undefined)[]
  funding: (FundingState | undefined)[]
  oracle: (bigint | undefined)[]
  lastTrade: (bigint | undefined)[]
  insurance = 0n
  /**
   * Per market, the latest funding payments (oldest first, at most FUNDING_HISTORY): for display only, but in the
   * state root (a snapshot from a peer carries it: src/core/CONTEXT.md, Snapshot trust). Arrays are replaced, never
   * mutated, so clones share them.
   */
  fundingHistory: (readonly FundingEvent[])[]
  /**
   * The collateral the margin accounts hold in total: Σ (margin − cost − accrued funding) + insurance. Trading,
   * funding and liquidation never change it; margin deposits add to it, withdrawals and fees take from it, and
   * never below 0 — which is what lets settlement value every account at ≥ 0 summing exactly to it.
   */
  collateral = 0n
  books: OrderBook[]

  constructor(channel: Channel, books: OrderBook[]) {
    const { config } = channel
    this.params = config.params.perps!
    this.maxLeverage = BigInt(config.params.maxLeverage)
    this.M = config.markets.length
    this.P = config.participants.length
    this.perpMarkets = []
    config.markets.forEach((m, i) => {
      if (m.kind === 'perp') this.perpMarkets.push(i)
    })
    this.margin = new Array<bigint>(this.P).fill(0n)
    this.positions = new Array<Position | undefined>(this.P * this.M).fill(undefined)
    this.funding = config.markets.map((m) =>
      m.kind === 'perp' ? { cum: 0n, epoch: undefined, rate: 0n } : undefined,
    )
    this.fundingHistory = config.markets.map(() => [])
    this.oracle = new Array<bigint | undefined>(this.M).fill(undefined)
    this.lastTrade = new Array<bigint | undefined>(this.M).fill(undefined)
    this.books = books
    this.ticks = config.markets.map((m) => m.tickSize)
  }

  private readonly ticks: bigint[]

  clone(books: OrderBook[]): PerpsState {
    const s = Object.create(PerpsState.prototype) as PerpsState
    Object.assign(s, this)
    s.margin = this.margin.slice()
    s.positions = this.positions.slice()
    s.funding = this.funding.slice()
    s.fundingHistory = this.fundingHistory.slice()
    s.oracle = this.oracle.slice()
    s.lastTrade = this.lastTrade.slice()
    s.books = books
    return s
  }

  isPerp(m: number): boolean {
    return this.funding[m] !== undefined
  }

  tick(m: number): bigint {
    return this.ticks[m]!
  }

  mark(m: number): bigint | undefined {
    return markPrice(this.oracle[m], this.books[m]!, this.lastTrade[m])
  }

  position(p: number, m: number): Position {
    return this.positions[p * this.M + m] ?? emptyPosition(this.funding[m]!.cum)
  }

  /** The clock epoch of a channel time: funding depends on nothing finer. */
  epochOf(time: bigint): bigint {
    return time / this.params.fundingIntervalMs
  }

  /** Pays funding of every perp market up to the epoch of `time` (called before every perp op). */
  advance(time: bigint): bigint {
    const epoch = this.epochOf(time)
    for (const m of this.perpMarkets) {
      const before = this.funding[m]!
      const mark = this.mark(m)
      const index = this.oracle[m]
      const after = advanceFunding(before, epoch, mark, index, this.tick(m), this.params)
      this.funding[m] = after
      if (before.epoch !== undefined && mark !== undefined && index !== undefined && epoch > before.epoch) {
        const openInterest = this.openInterest(m)
        this.fundingHistory[m] = [
          ...this.fundingHistory[m]!.slice(1 - FUNDING_HISTORY),
          {
            epoch,
            intervals: epoch - before.epoch,
            rate: after.rate,
            cum: after.cum,
            mark,
            index,
            openInterest,
            paid: (after.cum - before.cum) * openInterest,
          },
        ]
      }
    }
    return epoch
  }

  /** Σ of the long sizes of market m (lots), = Σ of the short sizes. */
  openInterest(m: number): bigint {
    let oi = 0n
    for (let p = 0; p < this.P; p++) {
      const size = this.positions[p * this.M + m]?.size ?? 0n
      if (size > 0n) oi += size
    }
    return oi
  }

  /** Moves the funding a position accrued into its account's margin. */
  settleFunding(p: number, m: number): void {
    const pos = this.positions[p * this.M + m]
    if (!pos) return
    const cum = this.funding[m]!.cum
    const pay = accruedFunding(pos, cum)
    if (pay === 0n && pos.fundingSnap === cum) return
    this.margin[p]! -= pay
    this.positions[p * this.M + m] = { ...pos, fundingSnap: cum, fundingPaid: pos.fundingPaid + pay }
  }

  setPosition(p: number, m: number, pos: Position): void {
    this.positions[p * this.M + m] =
      pos.size === 0n && pos.realized === 0n && pos.fundingPaid === 0n ? undefined : pos
  }

  // ─── ops ────────────────────────────────────────────────────────────────────────────────────────────────────

  postOracle(author: number, m: number, price: bigint): Reject {
    if (author !== this.params.oracle) return Reject.NotPermitted
    if (m >= this.M) return Reject.UnknownMarket
    if (!this.isPerp(m)) return Reject.WrongMarketKind
    if (price === 0n) return Reject.ZeroAmount
    this.oracle[m] = price
    // a market's funding clock starts with its first price
    return Reject.None
  }

  depositMargin(host: Host, p: number, amount: bigint): Reject {
    if (amount === 0n) return Reject.ZeroAmount
    const i = p * host.T + this.params.collateralToken
    if (host.avail[i]! < amount) return Reject.InsufficientFunds
    host.avail[i]! -= amount
    this.margin[p]! += amount
    this.collateral += amount
    return Reject.None
  }

  /** Withdraws realized collateral, if the account (netted with its loans) stays within initial margin afterwards. */
  withdrawMargin(host: Host, p: number, amount: bigint): Reject {
    if (amount === 0n) return Reject.ZeroAmount
    // collateral net of the funding its positions accrued (settled below, only if the op applies)
    let settled = this.margin[p]!
    for (const m of this.perpMarkets) {
      const pos = this.positions[p * this.M + m]
      if (pos) settled -= accruedFunding(pos, this.funding[m]!.cum)
    }
    if (settled < amount || this.collateral < amount) return Reject.InsufficientMargin
    const after = marginAccount(host, p, 'perps')
    after.equity -= amount
    if (!meetsInitial(after, this.maxLeverage)) return Reject.InsufficientMargin
    for (const m of this.perpMarkets) this.settleFunding(p, m)
    this.margin[p]! -= amount
    this.collateral -= amount
    host.avail[p * host.T + this.params.collateralToken]! += amount
    return Reject.None
  }
}
