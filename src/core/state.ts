import { AmmState } from './amm/engine.ts'
import { type Attestations, attestDeposit, attestForced, type ForcedAttestations } from './attestations.ts'
import { OrderBook } from './book.ts'
import { type Channel, Permission, ROLE_PERMISSIONS } from './channel.ts'
import { applyLendingOp, type LendOp } from './lending/apply.ts'
import { LendingState } from './lending/engine.ts'
import { type LendingValuation, lendingValuation } from './lending/settlement.ts'
import { nets } from './margin/account.ts'
import {
  type AmmAddOp,
  type AmmRemoveOp,
  type AmmShareTransferOp,
  type AmmSwapOp,
  type AmmVoteOp,
  type LiquidateOp,
  type LockOp,
  type MarginDepositOp,
  type MarginWithdrawOp,
  type Op,
  OpTag,
  type OraclePriceOp,
  type PerpPlaceOp,
  type Side,
} from './ops.ts'
import { PerpsState } from './perps/engine.ts'
import { liquidate } from './perps/liquidation.ts'
import { placePerp } from './perps/orders.ts'
import { type Valuation, valuation } from './perps/settlement.ts'
import { Reject } from './reasons.ts'
import { cancelSpot, placeSpot } from './spotOrders.ts'
import { StakeState } from './stake.ts'
import { U128_MAX } from './u128.ts'

/** An on-chain deposit as the settlement contract recorded it (the contract's Deposited event). */
export type DepositRecord = { index: bigint; participant: number; token: number; amount: bigint }

/** An on-chain forced-inclusion record (the contract's ForcedOpRecorded event): `op` is one encoded op. */
export type ForcedRecord = { index: bigint; participant: number; op: Uint8Array }

export type Lock = { owner: number; token: number; amount: bigint; until: bigint; reason: number }

export type Trade = {
  market: number
  price: bigint
  qty: bigint
  maker: number
  taker: number
  /** side of the taker */
  takerSide: Side
  makerOrder: string
  takerOrder: string
  makerFee: bigint
  takerFee: bigint
  /** id (hex) of the block whose op executed it */
  block: string
}

/**
 * Where an op sits: its author, the (seq, index) that names what it creates, the block's logical height, and the
 * channel clock at its position (ms). `time` is a function of the final order only: a committed block carries
 * the clock of the leader that committed it, a pending block the clock of the last committed leader (replica.ts).
 */
export type OpContext = {
  author: number
  seq: bigint
  index: number
  height: number
  block: string
  time: bigint
}

const U64_MAX = (1n << 64n) - 1n

/**
 * The clock read of an op whose outcome depends on the exact time (a swap's deadline): negative, so it equals no
 * `timeKey` (≥ 0) and the replica always replays its block at the block's final time.
 */
export const exactRead = (time: bigint): bigint => -1n - time

/** The clock read of ops applied one after another: an exact read stays; otherwise the later epoch key. */
export function mergeTimeReads(earlier: bigint | undefined, later: bigint | undefined): bigint | undefined {
  if (earlier !== undefined && earlier < 0n) return earlier
  return later ?? earlier
}

/**
 * The channel's ledger and order books: a deterministic state machine over bigint amounts. `apply` either
 * performs an op completely or changes nothing and returns the reason. No clocks, randomness, floats or
 * iteration-order dependence: the same ops in the same order give the same state on every peer.
 */
export class ChannelState {
  readonly P: number
  readonly T: number
  avail: bigint[]
  locked: bigint[]
  reserved: bigint[]
  pendingWithdrawal: bigint[]
  /** deposit records 0 … depositCount − 1 are credited (in index order); later ones are not */
  depositCount = 0n
  /** attestations of records ≥ depositCount; entries are replaced, never mutated, so clones share them */
  attestations: Map<bigint, Attestations>
  /** forced records 0 … forcedCount − 1 are included (in index order, each op applied once at its position) */
  forcedCount = 0n
  /** attestations of forced records ≥ forcedCount; entries are replaced, never mutated, so clones share them */
  forcedAttestations: Map<bigint, ForcedAttestations>
  /** who has bonded the channel's minStake, and whether trading is open yet (stake.ts) */
  stake: StakeState
  locks: Map<string, Lock>
  books: OrderBook[]
  openOrders: number[]
  placed = 0
  tradeCount = 0
  /**
   * Authors proven to fork in the final order (bit a: participant a), set by the replica's fold at the proving block
   * (replica/execution.ts): their final blocks from there on are void. In the state, hence in the state root, so a
   * checkpoint certifies it and a base from a peer cannot lie about it (CONTEXT.md, "Rejoin after everyone pruned").
   */
  proven = 0n
  /** Execution log, shared across clones: a snapshot remembers its length and restores by truncation. */
  trades: Trade[]
  /** margin accounts, positions, prices and funding of the perp markets (src/core/perps); undefined without any */
  perps: PerpsState | undefined
  /** the AMM pools of the spot markets (src/core/amm); undefined without `params.amm` */
  amm: AmmState | undefined
  /** the margin accounts' settlement values, computed on demand and dropped by every op */
  private valued: Valuation | undefined
  /** the lending pool (src/core/lending); undefined without `params.lending` */
  lending: LendingState | undefined
  /** holdings with the lending pool closed out (lending/settlement.ts), computed on demand, dropped by every op */
  private lendValued: LendingValuation | undefined

  /** distinct attesters that credit a deposit: the channel's quorum */
  readonly quorum: number
  /**
   * Set by the fold when an op's outcome depended on the channel clock: the clock epoch it read (timeKey). The
   * replica clears it before each block and replays a block whose final time falls in another epoch than the one
   * it was applied with; a block that read no time is never replayed for its time.
   */
  timeRead: bigint | undefined = undefined

  constructor(
    readonly channel: Channel,
    trades: Trade[] = [],
  ) {
    this.quorum = channel.config.threshold
    this.P = channel.config.participants.length
    this.T = channel.config.tokens.length
    const n = this.P * this.T
    this.avail = new Array<bigint>(n).fill(0n)
    this.locked = new Array<bigint>(n).fill(0n)
    this.reserved = new Array<bigint>(n).fill(0n)
    this.pendingWithdrawal = new Array<bigint>(n).fill(0n)
    this.attestations = new Map()
    this.forcedAttestations = new Map()
    this.stake = new StakeState(channel.config.params.minStake > 0n, this.P, channel.config.threshold)
    this.locks = new Map()
    this.books = channel.config.markets.map(() => new OrderBook())
    this.openOrders = new Array<number>(this.P).fill(0)
    this.trades = trades
    this.perps = channel.config.params.perps ? new PerpsState(channel, this.books) : undefined
    this.amm = channel.config.params.amm ? new AmmState(channel) : undefined
    this.lending = channel.config.params.lending ? new LendingState(channel) : undefined
  }

  clone(): ChannelState {
    const s = Object.create(ChannelState.prototype) as ChannelState
    Object.assign(s, this)
    s.avail = this.avail.slice()
    s.locked = this.locked.slice()
    s.reserved = this.reserved.slice()
    s.pendingWithdrawal = this.pendingWithdrawal.slice()
    s.attestations = new Map(this.attestations)
    s.forcedAttestations = new Map(this.forcedAttestations)
    s.stake = this.stake.clone()
    s.locks = new Map(this.locks)
    s.books = this.books.map((b) => b.clone())
    s.openOrders = this.openOrders.slice()
    s.perps = this.perps?.clone(s.books)
    s.amm = this.amm?.clone()
    s.lending = this.lending?.clone()
    return s
  }

  /**
   * The part of the clock the fold can depend on: two times with the same key give the same result for every op.
   * Perp funding reads the clock by its epoch ⌊time / fundingIntervalMs⌋ (one epoch without perps), lending interest
   * by ⌊time / accrualIntervalMs⌋. A swap's deadline compares the exact time: it records `exactRead` instead, which
   * no key equals, so its block is replayed at its final time (only such blocks: the other modules' ops keep their
   * epochs even in a channel with an AMM).
   */
  timeKey(time: bigint): bigint {
    // lending interest accrues per ⌊time / accrualIntervalMs⌋: both epochs in one key
    const perps = this.perps ? this.perps.epochOf(time) : 0n
    return this.lending ? (perps << 64n) | this.lending.epochOf(time) : perps
  }

  /** Records a clock read of this op; an exact read (a deadline) stays, whatever later ops of the block read. */
  private readClock(key: bigint): void {
    this.timeRead = mergeTimeReads(this.timeRead, key)
  }

  /**
   * Total holdings of (participant, token): what settlement pays out. For the perp collateral token this includes
   * the margin account valued with every position closed at mark (perps/settlement.ts), and, for the fee
   * recipient, what is left of the insurance fund: exit leaves stay (account, token, amount).
   */
  holdings(p: number, t: number): bigint {
    if (!this.lending) return this.baseHoldings(p, t)
    this.lendValued ??= lendingValuation(
      this.lending,
      this,
      (q, u) => this.baseHoldings(q, u),
      this.channel.config.params.feeRecipient,
    )
    return this.lendValued.holdings[p * this.T + t]!
  }

  /** Holdings outside the lending pool (ledger, AMM shares, margin account): what the pool's close-out starts from. */
  baseHoldings(p: number, t: number): bigint {
    const i = p * this.T + t
    const ledger =
      this.avail[i]! +
      this.locked[i]! +
      this.reserved[i]! +
      this.pendingWithdrawal[i]! +
      (this.amm?.value(p, t) ?? 0n)
    if (!this.perps || t !== this.perps.params.collateralToken) return ledger
    this.valued ??= valuation(this.perps)
    const fund = p === this.channel.config.params.feeRecipient ? this.valued.insurance : 0n
    return ledger + this.valued.values[p]! + fund
  }

  apply(op: Op, ctx: OpContext): Reject {
    const perms = ROLE_PERMISSIONS[this.channel.config.participants[ctx.author]!.role]!
    this.valued = undefined
    this.lendValued = undefined
    const unbonded = this.stake.refusal(op.tag, ctx.author)
    if (unbonded !== Reject.None) return unbonded
    switch (op.tag) {
      case OpTag.RotateKey:
        // the key rule lives in the DAG and the replica (keys.ts); the fold has nothing to do
        return Reject.None
      case OpTag.StakeAttest:
        return this.stake.attest(op.participant, ctx.author)
      case OpTag.Deposit:
        return attestDeposit(this, op, ctx.author)
      case OpTag.ForcedAttest:
        return attestForced(this, op, ctx)
      case OpTag.Withdraw:
        if (!(perms & Permission.Funds)) return Reject.NotPermitted
        return this.move(ctx.author, op.token, op.amount, this.pendingWithdrawal)
      case OpTag.Transfer:
        if (!(perms & Permission.Transfer)) return Reject.NotPermitted
        return this.transfer(ctx.author, op.to, op.token, op.amount)
      case OpTag.Lock:
        if (!(perms & Permission.Lock)) return Reject.NotPermitted
        return this.lock(op, ctx)
      case OpTag.Unlock:
        return this.unlock(`${ctx.author}:${op.lockSeq}:${op.lockIndex}`, ctx)
      case OpTag.Place:
        if (!(perms & Permission.Trade)) return Reject.NotPermitted
        return placeSpot(this, op, ctx)
      case OpTag.Cancel:
        // a cancel can move a perp market's mark (its book mid): funding up to now is paid at the mark before it
        if (this.perps) {
          this.perps.advance(ctx.time)
          this.readClock(this.timeKey(ctx.time))
        }
        return cancelSpot(this, op, ctx)
      case OpTag.Checkpoint:
      case OpTag.CheckpointRequest:
      case OpTag.Close:
        // signatures are checked when the block is accepted (replica.ts); here the op only needs the role
        return perms & Permission.Checkpoint ? Reject.None : Reject.NotPermitted
      case OpTag.OraclePrice: {
        // a spot market's oracle price is the lending pool's (it prices collateral); a perp market's is the perps'
        const market = this.channel.config.markets[op.market]
        if (this.lending && market && market.kind !== 'perp')
          return this.lending.postOracle(ctx.author, op.market, op.price)
        return this.applyPerp(op, ctx, perms)
      }
      case OpTag.PerpPlace:
      case OpTag.MarginDeposit:
      case OpTag.MarginWithdraw:
      case OpTag.Liquidate:
        return this.applyPerp(op, ctx, perms)
      case OpTag.AmmAdd:
      case OpTag.AmmRemove:
      case OpTag.AmmSwap:
      case OpTag.AmmVote:
      case OpTag.AmmShareTransfer:
        return this.applyAmm(op, ctx, perms)
      case OpTag.LendSupply:
      case OpTag.LendWithdraw:
      case OpTag.LendBorrow:
      case OpTag.LendRepay:
      case OpTag.LendLiquidate:
        return this.applyLending(op, ctx, perms)
    }
  }

  /** Lending ops (lending/apply.ts): the pools first accrue interest up to the op's clock epoch. */
  private applyLending(op: LendOp, ctx: OpContext, perms: number): Reject {
    if (!this.lending) return Reject.NotLendable
    this.lending.advance(ctx.time)
    // one margin account: a netted account's perp PnL counts here, so funding is paid up to the op's epoch too
    if (nets(this)) this.perps!.advance(ctx.time)
    this.readClock(this.timeKey(ctx.time))
    return applyLendingOp(this.lending, this, op, ctx.author, perms)
  }

  /** AMM ops (amm/engine.ts): a swap with a deadline reads the channel clock. */
  private applyAmm(
    op: AmmAddOp | AmmRemoveOp | AmmSwapOp | AmmVoteOp | AmmShareTransferOp,
    ctx: OpContext,
    perms: number,
  ): Reject {
    const amm = this.amm
    if (!amm) return Reject.NoPool
    if (op.market >= amm.pools.length) return Reject.UnknownMarket
    if (op.tag === OpTag.AmmShareTransfer)
      return perms & Permission.Transfer ? amm.transferShares(ctx.author, op) : Reject.NotPermitted
    if (!(perms & Permission.Trade)) return Reject.NotPermitted
    switch (op.tag) {
      case OpTag.AmmAdd:
        return amm.add(this, ctx.author, op)
      case OpTag.AmmRemove:
        return amm.remove(this, ctx.author, op)
      case OpTag.AmmVote:
        return amm.vote(ctx.author, op)
      case OpTag.AmmSwap:
        if (op.deadline !== U64_MAX) this.readClock(exactRead(ctx.time))
        return amm.swap(this, ctx.author, op, ctx.time)
    }
  }

  /** Perp ops: the channel clock first pays funding up to the op's epoch (accepted or not), then the op. */
  private applyPerp(
    op: OraclePriceOp | PerpPlaceOp | MarginDepositOp | MarginWithdrawOp | LiquidateOp,
    ctx: OpContext,
    perms: number,
  ): Reject {
    const ps = this.perps
    if (!ps) return Reject.UnknownMarket
    ps.advance(ctx.time)
    // one margin account: a netted account's loans count here, so interest accrues up to the op's epoch too
    if (nets(this)) this.lending!.advance(ctx.time)
    this.readClock(this.timeKey(ctx.time))
    switch (op.tag) {
      case OpTag.OraclePrice:
        return ps.postOracle(ctx.author, op.market, op.price)
      case OpTag.PerpPlace:
        if (!(perms & Permission.Trade)) return Reject.NotPermitted
        return placePerp(this, ps, op, ctx)
      case OpTag.MarginDeposit:
        if (!(perms & Permission.Funds)) return Reject.NotPermitted
        return ps.depositMargin(this, ctx.author, op.amount)
      case OpTag.MarginWithdraw:
        if (!(perms & Permission.Funds)) return Reject.NotPermitted
        return ps.withdrawMargin(this, ctx.author, op.amount)
      case OpTag.Liquidate: {
        if (!(perms & Permission.Liquidate) && !ps.params.openLiquidation) return Reject.NotPermitted
        if (op.trader >= this.P) return Reject.UnknownParticipant
        if (op.trader === ctx.author) return Reject.NotPermitted
        if (op.market >= ps.M) return Reject.UnknownMarket
        if (!ps.isPerp(op.market)) return Reject.WrongMarketKind
        const r = liquidate(this, ps, ctx.author, op.trader, op.market)
        if (r.ok) return Reject.None
        if (r.reason === 'no-position') return Reject.NoPosition
        if (r.reason === 'not-liquidatable') return Reject.NotLiquidatable
        if (r.reason === 'liquidator-margin') return Reject.LiquidatorMargin
        return Reject.AmountOutOfRange
      }
    }
  }

  isCredited(index: bigint): boolean {
    return index < this.depositCount
  }

  /** Records credited before any block (tests, benchmarks, simulator): as if attested by everyone. */
  creditGenesis(records: readonly DepositRecord[]): void {
    for (const r of records) {
      if (r.index !== this.depositCount)
        throw new RangeError(`genesis deposits must be 0, 1, 2, … (got ${r.index})`)
      this.depositCount++
      if (this.credit(r) !== Reject.None)
        throw new RangeError(`genesis deposit ${r.index} cannot be credited`)
    }
  }

  /** Credits one deposit record (attestations.ts, creditGenesis); refused past the token's u128 supply. */
  credit(rec: DepositRecord): Reject {
    if (rec.participant >= this.P || rec.token >= this.T) return Reject.UnknownDeposit
    const i = rec.participant * this.T + rec.token
    if (rec.amount <= 0n) return Reject.ZeroAmount
    // Cap the token's channel-wide supply, not just this account: transfers and fills conserve supply, so
    // every account and bucket then stays ≤ U128_MAX whatever moves later (and settles on chain).
    let supply = rec.amount
    for (let p = 0; p < this.P; p++) supply += this.holdings(p, rec.token)
    if (supply > U128_MAX) return Reject.AmountOutOfRange
    this.avail[i]! += rec.amount
    this.lendValued = undefined
    return Reject.None
  }

  /** Moves available funds of (p, t) into another bucket of the same account. */
  private move(p: number, t: number, amount: bigint, bucket: bigint[]): Reject {
    if (t >= this.T) return Reject.UnknownToken
    if (amount === 0n) return Reject.ZeroAmount
    const i = p * this.T + t
    if (this.avail[i]! < amount) return Reject.InsufficientFunds
    this.avail[i]! -= amount
    bucket[i]! += amount
    return Reject.None
  }

  private transfer(from: number, to: number, t: number, amount: bigint): Reject {
    if (t >= this.T) return Reject.UnknownToken
    if (to >= this.P) return Reject.UnknownParticipant
    if (to === from) return Reject.SelfTransfer
    if (amount === 0n) return Reject.ZeroAmount
    const i = from * this.T + t
    if (this.avail[i]! < amount) return Reject.InsufficientFunds
    // holdings of the recipient stay ≤ the token's supply ≤ U128_MAX (see deposit), so no range check is needed
    this.avail[i]! -= amount
    this.avail[to * this.T + t]! += amount
    return Reject.None
  }

  private lock(op: LockOp, ctx: OpContext): Reject {
    const r = this.move(ctx.author, op.token, op.amount, this.locked)
    if (r !== Reject.None) return r
    this.locks.set(`${ctx.author}:${ctx.seq}:${ctx.index}`, {
      owner: ctx.author,
      token: op.token,
      amount: op.amount,
      until: op.until,
      reason: op.reason,
    })
    return Reject.None
  }

  private unlock(key: string, ctx: OpContext): Reject {
    const l = this.locks.get(key)
    if (!l) return Reject.UnknownLock
    if (BigInt(ctx.height) < l.until) return Reject.LockNotExpired
    const i = l.owner * this.T + l.token
    this.locked[i]! -= l.amount
    this.avail[i]! += l.amount
    this.locks.delete(key)
    return Reject.None
  }
}
