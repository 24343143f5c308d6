import type { Channel } from '../channel.ts'
import type { AmmAddOp, AmmRemoveOp, AmmShareTransferOp, AmmSwapOp, AmmVoteOp } from '../ops.ts'
import { Side } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { feeTierIndex } from './fees.ts'
import { quoteAdd, quoteRemove } from './liquidity.ts'
import { emptyPool, MINIMUM_LIQUIDITY, type Pool, withHoldings } from './pool.ts'
import { ammValuation } from './settlement.ts'
import { quoteSwap } from './swap.ts'

/** What the AMM needs of the channel's ledger (ChannelState provides it). */
export interface Host {
  readonly T: number
  avail: bigint[]
}

/**
 * The AMM side of the channel state, a sibling of the order book and the perps: one constant-product pool per spot
 * market, in the market's base and quote tokens. Tokens move only between the ledger's available balances and the
 * reserves; settlement redeems every share pro rata (settlement.ts). Pools are replaced, never mutated, so a clone
 * copies one array. Everything is bigint; nothing iterates a Map.
 */
export class AmmState {
  readonly P: number
  readonly T: number
  readonly defaultFeeBps: bigint
  readonly feeRecipient: number
  /** (base, quote) token of each market with a pool; undefined for perp markets */
  readonly tokens: ({ base: number; quote: number } | undefined)[]
  pools: (Pool | undefined)[]
  /** settlement values per (participant, token), computed on demand and dropped by every change */
  private valued: bigint[] | undefined

  constructor(channel: Channel) {
    const { config } = channel
    this.P = config.participants.length
    this.T = config.tokens.length
    this.defaultFeeBps = config.params.amm!.defaultFeeBps
    this.feeRecipient = config.params.feeRecipient
    this.tokens = config.markets.map((m) =>
      m.kind === 'perp' ? undefined : { base: m.base, quote: m.quote },
    )
    this.pools = this.tokens.map((t) => (t ? emptyPool(this.P, this.defaultFeeBps) : undefined))
  }

  clone(): AmmState {
    const s = Object.create(AmmState.prototype) as AmmState
    Object.assign(s, this)
    s.pools = this.pools.slice()
    return s
  }

  /** What (p, t)'s pool shares are worth at settlement (for the fee recipient also the locked shares' part). */
  value(p: number, t: number): bigint {
    this.valued ??= ammValuation(this)
    return this.valued[p * this.T + t]!
  }

  private set(m: number, pool: Pool): void {
    this.pools[m] = pool
    this.valued = undefined
  }

  add(host: Host, p: number, op: AmmAddOp): Reject {
    const pool = this.pools[op.market]
    const tk = this.tokens[op.market]
    if (!pool || !tk) return Reject.NoPool
    if (op.baseMax === 0n || op.quoteMax === 0n) return Reject.ZeroAmount
    const vote = feeTierIndex(op.voteBps)
    if (vote < 0) return Reject.UnknownFeeTier
    const q = quoteAdd(pool, op.baseMax, op.quoteMax)
    if (q.minted === 0n || q.minted < op.minShares) return Reject.TooFewShares
    const bi = p * host.T + tk.base
    const qi = p * host.T + tk.quote
    if (host.avail[bi]! < q.base || host.avail[qi]! < q.quote) return Reject.InsufficientFunds
    host.avail[bi]! -= q.base
    host.avail[qi]! -= q.quote
    const locked = pool.totalShares === 0n ? MINIMUM_LIQUIDITY : 0n
    this.set(
      op.market,
      withHoldings(
        pool,
        [{ p, shares: pool.shares[p]! + q.minted, vote }],
        {
          reserveBase: pool.reserveBase + q.base,
          reserveQuote: pool.reserveQuote + q.quote,
          totalShares: pool.totalShares + locked + q.minted,
        },
        this.defaultFeeBps,
      ),
    )
    return Reject.None
  }

  remove(host: Host, p: number, op: AmmRemoveOp): Reject {
    const pool = this.pools[op.market]
    const tk = this.tokens[op.market]
    if (!pool || !tk) return Reject.NoPool
    if (op.shares === 0n) return Reject.ZeroAmount
    const held = pool.shares[p]!
    if (held < op.shares) return Reject.InsufficientShares
    const out = quoteRemove(pool, op.shares)
    if (out.base === 0n && out.quote === 0n) return Reject.ZeroOutput
    if (out.base < op.minBase || out.quote < op.minQuote) return Reject.Slippage
    host.avail[p * host.T + tk.base]! += out.base
    host.avail[p * host.T + tk.quote]! += out.quote
    this.set(
      op.market,
      withHoldings(
        pool,
        [{ p, shares: held - op.shares, vote: pool.votes[p]! }],
        {
          reserveBase: pool.reserveBase - out.base,
          reserveQuote: pool.reserveQuote - out.quote,
          totalShares: pool.totalShares - op.shares,
        },
        this.defaultFeeBps,
      ),
    )
    return Reject.None
  }

  /** An exact-in swap at channel time `time` (ms); the caller records that the outcome read the clock. */
  swap(host: Host, p: number, op: AmmSwapOp, time: bigint): Reject {
    const pool = this.pools[op.market]
    const tk = this.tokens[op.market]
    if (!pool || !tk) return Reject.NoPool
    if (pool.totalShares === 0n) return Reject.PoolEmpty
    if (op.amountIn === 0n) return Reject.ZeroAmount
    if (time > op.deadline) return Reject.DeadlinePassed
    const isBuy = op.side === Side.Buy
    const inIdx = p * host.T + (isBuy ? tk.quote : tk.base)
    const outIdx = p * host.T + (isBuy ? tk.base : tk.quote)
    if (host.avail[inIdx]! < op.amountIn) return Reject.InsufficientFunds
    const q = quoteSwap(pool, op.side, op.amountIn)
    if (q.out === 0n) return Reject.ZeroOutput
    if (q.out < op.minOut) return Reject.Slippage
    host.avail[inIdx]! -= op.amountIn
    host.avail[outIdx]! += q.out
    this.set(op.market, { ...pool, reserveBase: q.reserveBase, reserveQuote: q.reserveQuote })
    return Reject.None
  }

  vote(p: number, op: AmmVoteOp): Reject {
    const pool = this.pools[op.market]
    if (!pool) return Reject.NoPool
    const vote = feeTierIndex(op.voteBps)
    if (vote < 0) return Reject.UnknownFeeTier
    const held = pool.shares[p]!
    if (held === 0n) return Reject.NotLiquidityProvider
    this.set(op.market, withHoldings(pool, [{ p, shares: held, vote }], pool, this.defaultFeeBps))
    return Reject.None
  }

  /**
   * Burns all of p's shares in market m's pool and returns what a removal pays (no ledger move: the caller puts the
   * tokens where they go — a lending liquidation supplies them, margin/poolShares.ts); `restore` undoes it.
   */
  redeemAll(p: number, m: number): { base: bigint; quote: bigint; before: Pool } | undefined {
    const pool = this.pools[m]
    if (!pool || pool.shares[p]! === 0n) return undefined
    const held = pool.shares[p]!
    const out = quoteRemove(pool, held)
    this.set(
      m,
      withHoldings(
        pool,
        [{ p, shares: 0n, vote: -1 }],
        {
          reserveBase: pool.reserveBase - out.base,
          reserveQuote: pool.reserveQuote - out.quote,
          totalShares: pool.totalShares - held,
        },
        this.defaultFeeBps,
      ),
    )
    return { ...out, before: pool }
  }

  /** Puts back a pool `redeemAll` replaced. */
  restore(m: number, pool: Pool): void {
    this.set(m, pool)
  }

  /** Moves shares, and their weight in the fee vote, to `op.to` (who adopts the sender's vote if it had none). */
  transferShares(p: number, op: AmmShareTransferOp): Reject {
    const pool = this.pools[op.market]
    if (!pool) return Reject.NoPool
    if (op.to >= this.P) return Reject.UnknownParticipant
    if (op.to === p) return Reject.SelfTransfer
    if (op.shares === 0n) return Reject.ZeroAmount
    const held = pool.shares[p]!
    if (held < op.shares) return Reject.InsufficientShares
    const theirs = pool.shares[op.to]!
    const theirVote = theirs > 0n ? pool.votes[op.to]! : pool.votes[p]!
    this.set(
      op.market,
      withHoldings(
        pool,
        [
          { p, shares: held - op.shares, vote: pool.votes[p]! },
          { p: op.to, shares: theirs + op.shares, vote: theirVote },
        ],
        pool,
        this.defaultFeeBps,
      ),
    )
    return Reject.None
  }
}
