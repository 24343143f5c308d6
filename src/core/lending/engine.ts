import type { AmmState } from '../amm/engine.ts'
import type { OrderBook } from '../book.ts'
import type { Channel } from '../channel.ts'
import { marginAccount, meetsInitial } from '../margin/account.ts'
import type { PerpsState } from '../perps/engine.ts'
import { Reject } from '../reasons.ts'
import type { LendingParams, LendingToken } from './params.ts'
import {
  accrue,
  claimOf,
  debtOf,
  emptyPool,
  type Pool,
  scaledFor,
  scaledRepaid,
  sharesFor,
  sharesToBurn,
  supplyIndex,
} from './pool.ts'
import { type PriceSources, priceOf } from './prices.ts'

/** What the lending pool needs of the channel state (ChannelState provides it). */
export interface LendingHost {
  readonly channel: Channel
  readonly T: number
  avail: bigint[]
  books: OrderBook[]
  perps: PerpsState | undefined
  /** the pool itself as the channel holds it: the margin account nets with it (margin/account.ts) */
  readonly lending: LendingState | undefined
  /** the AMM: pool shares count in the margin account (margin/poolShares.ts) */
  readonly amm: AmmState | undefined
}

/**
 * The lending pool, a sibling of the order book and the perps: per lendable token a pool (pool.ts), per (account,
 * token) supply shares and scaled debt, and the spot markets' oracle prices and last trades that price collateral.
 * Tokens move only between the ledger's available balances and the pools' cash, so every token is conserved by
 * construction; claims and debts are valued at settlement (settlement.ts). Everything is bigint; nothing iterates a
 * Map. Pools are copied on clone (one per token), the rest are arrays.
 */
export class LendingState {
  readonly params: LendingParams
  readonly P: number
  readonly T: number
  readonly M: number
  /** per channel token: its lending config, undefined when it has no pool */
  readonly cfg: (LendingToken | undefined)[]
  /** lendable token indexes, ascending */
  readonly lendable: number[]
  pools: (Pool | undefined)[]
  /** supply shares, indexed p · T + t */
  shares: bigint[]
  /** scaled debt, indexed p · T + t */
  scaled: bigint[]
  spotOracle: (bigint | undefined)[]
  spotLastTrade: (bigint | undefined)[]

  constructor(channel: Channel) {
    const { config } = channel
    this.params = config.params.lending!
    this.P = config.participants.length
    this.T = config.tokens.length
    this.M = config.markets.length
    this.cfg = new Array<LendingToken | undefined>(this.T).fill(undefined)
    for (const k of this.params.tokens) this.cfg[k.token] = k
    this.lendable = []
    for (let t = 0; t < this.T; t++) if (this.cfg[t]) this.lendable.push(t)
    this.pools = this.cfg.map((k) => (k ? emptyPool() : undefined))
    this.shares = new Array<bigint>(this.P * this.T).fill(0n)
    this.scaled = new Array<bigint>(this.P * this.T).fill(0n)
    this.spotOracle = new Array<bigint | undefined>(this.M).fill(undefined)
    this.spotLastTrade = new Array<bigint | undefined>(this.M).fill(undefined)
  }

  clone(): LendingState {
    const s = Object.create(LendingState.prototype) as LendingState
    Object.assign(s, this)
    s.pools = this.pools.map((p) => (p ? { ...p } : undefined))
    s.shares = this.shares.slice()
    s.scaled = this.scaled.slice()
    s.spotOracle = this.spotOracle.slice()
    s.spotLastTrade = this.spotLastTrade.slice()
    return s
  }

  sources(host: LendingHost): PriceSources {
    return {
      books: host.books,
      markets: host.channel.config.markets,
      spotOracle: this.spotOracle,
      spotLastTrade: this.spotLastTrade,
      perps: host.perps,
    }
  }

  /** Every lendable token's price now (undefined where there is none), indexed by token. */
  prices(host: LendingHost) {
    const src = this.sources(host)
    return this.cfg.map((k) => (k ? priceOf(k, src) : undefined))
  }

  /** The clock epoch of a channel time: interest depends on nothing finer. */
  epochOf(time: bigint): bigint {
    return time / this.params.accrualIntervalMs
  }

  /** Accrues every pool's interest up to the epoch of `time` (called before every lending op). */
  advance(time: bigint): bigint {
    const epoch = this.epochOf(time)
    for (const t of this.lendable) accrue(this.pools[t]!, epoch, this.params.accrualIntervalMs, this.cfg[t]!)
    return epoch
  }

  claim(p: number, t: number): bigint {
    const pool = this.pools[t]
    return pool ? claimOf(this.shares[p * this.T + t]!, supplyIndex(pool)) : 0n
  }

  debt(p: number, t: number): bigint {
    const pool = this.pools[t]
    return pool ? debtOf(this.scaled[p * this.T + t]!, pool) : 0n
  }

  // ─── ops ────────────────────────────────────────────────────────────────────────────────────────────────────

  /** The lending oracle posts a spot market's price (ticks). */
  postOracle(author: number, m: number, price: bigint): Reject {
    if (author !== this.params.oracle) return Reject.NotPermitted
    if (price === 0n) return Reject.ZeroAmount
    this.spotOracle[m] = price
    return Reject.None
  }

  /** Ledger → pool: mints supply shares at the supply index (rounded down). */
  supply(host: LendingHost, p: number, t: number, amount: bigint): Reject {
    const pool = this.pools[t]
    if (!pool) return Reject.NotLendable
    if (amount === 0n) return Reject.ZeroAmount
    const i = p * this.T + t
    if (host.avail[i]! < amount) return Reject.InsufficientFunds
    const index = supplyIndex(pool)
    if (index === 0n) return Reject.PoolInsolvent
    const minted = sharesFor(amount, index)
    if (minted === 0n) return Reject.AmountOutOfRange
    host.avail[i]! -= amount
    pool.cash += amount
    pool.totalShares += minted
    this.shares[i]! += minted
    return Reject.None
  }

  /**
   * Pool → ledger: burns shares for `amount` (rounded up); an amount at or above the claim withdraws all of it.
   * Needs the cash in the pool and the account within its loan-to-value limit afterwards.
   */
  withdraw(host: LendingHost, p: number, t: number, amount: bigint): Reject {
    const pool = this.pools[t]
    if (!pool) return Reject.NotLendable
    if (amount === 0n) return Reject.ZeroAmount
    const i = p * this.T + t
    const held = this.shares[i]!
    if (held === 0n) return Reject.NoSupply
    const index = supplyIndex(pool)
    const claim = claimOf(held, index)
    const all = amount >= claim
    const out = all ? claim : amount
    const burnt = all ? held : sharesToBurn(out, index)
    if (out > pool.cash) return Reject.PoolLiquidity
    const before = { shares: held, totalShares: pool.totalShares, cash: pool.cash }
    this.shares[i] = held - burnt
    pool.totalShares -= burnt
    pool.cash -= out
    if (!this.fits(host, p)) {
      this.shares[i] = before.shares
      pool.totalShares = before.totalShares
      pool.cash = before.cash
      return Reject.LoanToValue
    }
    host.avail[i]! += out
    return Reject.None
  }

  /** Pool → ledger as debt (scaled, rounded up); needs the cash, a price, and the loan-to-value limit afterwards. */
  borrow(host: LendingHost, p: number, t: number, amount: bigint): Reject {
    const pool = this.pools[t]
    const k = this.cfg[t]
    if (!pool || !k) return Reject.NotLendable
    if (amount === 0n) return Reject.ZeroAmount
    if (amount > pool.cash) return Reject.PoolLiquidity
    if (!priceOf(k, this.sources(host))) return Reject.NoPrice
    const i = p * this.T + t
    const add = scaledFor(amount, pool)
    this.scaled[i]! += add
    pool.totalScaled += add
    pool.cash -= amount
    if (!this.fits(host, p)) {
      this.scaled[i]! -= add
      pool.totalScaled -= add
      pool.cash += amount
      return Reject.LoanToValue
    }
    host.avail[i]! += amount
    return Reject.None
  }

  /** Ledger → pool against the author's own debt; an amount at or above the debt repays all of it. */
  repay(host: LendingHost, p: number, t: number, amount: bigint): Reject {
    const pool = this.pools[t]
    if (!pool) return Reject.NotLendable
    if (amount === 0n) return Reject.ZeroAmount
    const i = p * this.T + t
    if (this.scaled[i]! === 0n) return Reject.NoDebt
    const paid = this.repayFor(pool, i, amount, host.avail[i]!)
    if (paid === undefined) return Reject.InsufficientFunds
    host.avail[i]! -= paid
    return Reject.None
  }

  /**
   * Reduces the debt at account-token index `i` by `amount` (all of it when amount ≥ debt) and adds the payment to
   * the pool's cash; returns what was paid, or undefined (nothing changed) when `funds` do not cover it.
   */
  repayFor(pool: Pool, i: number, amount: bigint, funds: bigint): bigint | undefined {
    const sc = this.scaled[i]!
    const debt = debtOf(sc, pool)
    const all = amount >= debt
    const paid = all ? debt : amount
    if (funds < paid) return undefined
    const burnt = all ? sc : scaledRepaid(paid, pool)
    this.scaled[i] = sc - burnt
    pool.totalScaled -= burnt
    pool.cash += paid
    return paid
  }

  /**
   * Whether account p is within its loan-to-value limit (always, without debt) — netted with its perp margin
   * account when the channel nets them (margin/account.ts: the initial inequality).
   */
  fits(host: LendingHost, p: number): boolean {
    return meetsInitial(marginAccount(host, p, 'lending'), BigInt(host.channel.config.params.maxLeverage))
  }
}
