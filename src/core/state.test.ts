import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { type Channel, type Market, openChannel, Role } from './channel.ts'
import { type CancelOp, type Op, OpTag, OrderKind, type PlaceOp, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { stateRoot } from './roots.ts'
import { ChannelState, type DepositRecord, type OpContext, U128_MAX } from './state.ts'
import { type MakeTestChannelParameters, makeTestChannel, testDeposits } from './testing.ts'

const BPS = 10_000n
const DEPOSIT = 1_000_000n

type SetupOptions = Omit<MakeTestChannelParameters, 'participants'> & {
  participants?: number
  amount?: bigint
  markets?: Market[]
  extraDeposits?: DepositRecord[]
  credit?: boolean
}

/** A ChannelState with every participant funded, and an author-aware op runner. */
function setup(o: SetupOptions = {}) {
  const P = o.participants ?? 3
  const tc = makeTestChannel({ label: 'state', ...o, participants: P })
  let channel = tc.channel
  if (o.markets) {
    // markets are not part of the channel id, so the authorisations stay valid
    const config = structuredClone(channel.config)
    config.markets = o.markets
    channel = openChannel(config)
  }
  const records = [
    ...testDeposits(P, channel.config.tokens.length, o.amount ?? DEPOSIT),
    ...(o.extraDeposits ?? []),
  ]
  const deposits = new Map(records.map((d) => [d.index, d]))
  const state = new ChannelState(channel, deposits)
  const seqs = new Array<bigint>(P).fill(0n)
  const h = {
    state,
    deposits,
    height: 0,
    ctx(author: number): OpContext {
      seqs[author]! += 1n
      return { author, seq: seqs[author]!, index: 0, height: h.height, block: `b${author}:${seqs[author]}` }
    },
    apply(author: number, op: Op): Reject {
      return state.apply(op, h.ctx(author))
    },
    /** Places an order; returns the reject code and the (seq, index) that names the order. */
    place(author: number, p: Partial<PlaceOp>): { r: Reject; cancel: CancelOp } {
      const op: PlaceOp = {
        tag: OpTag.Place,
        market: 0,
        side: Side.Buy,
        kind: 0,
        tif: 0,
        price: 100n,
        qty: 1n,
        ...p,
      }
      const ctx = h.ctx(author)
      return {
        r: state.apply(op, ctx),
        cancel: { tag: OpTag.Cancel, orderSeq: ctx.seq, orderIndex: ctx.index },
      }
    },
    avail: (p: number, t: number) => state.avail[p * state.T + t]!,
    reserved: (p: number, t: number) => state.reserved[p * state.T + t]!,
    locked: (p: number, t: number) => state.locked[p * state.T + t]!,
    pending: (p: number, t: number) => state.pendingWithdrawal[p * state.T + t]!,
  }
  if (o.credit !== false)
    for (const d of records.slice(0, P * 2)) expect(h.apply(0, deposit(d.index))).toBe(Reject.None)
  return h
}
type Harness = ReturnType<typeof setup>

const deposit = (depositIndex: bigint): Op => ({ tag: OpTag.Deposit, depositIndex })
const withdraw = (token: number, amount: bigint): Op => ({ tag: OpTag.Withdraw, token, amount })
const transfer = (to: number, token: number, amount: bigint): Op => ({
  tag: OpTag.Transfer,
  to,
  token,
  amount,
})
const lock = (token: number, amount: bigint, until: bigint): Op => ({
  tag: OpTag.Lock,
  token,
  amount,
  until,
  reason: 1,
})
const unlock = (lockSeq: bigint, lockIndex = 0): Op => ({ tag: OpTag.Unlock, lockSeq, lockIndex })

const seen = new Set<number>()
/** Applies an op that must be rejected with `reason` and leave no trace in the state root. */
function expectReject(h: Harness, author: number, op: Op, reason: Reject): void {
  const before = toHex(stateRoot(h.state))
  const trades = h.state.trades.length
  expect(h.apply(author, op)).toBe(reason)
  expect(toHex(stateRoot(h.state))).toBe(before)
  expect(h.state.trades.length).toBe(trades)
  seen.add(reason)
}

describe('invalid ops are skipped and change nothing (THREATS row 7)', () => {
  it('NotPermitted: an Observer cannot trade, transfer, withdraw or lock', () => {
    const h = setup({ roles: [Role.Trader, Role.Observer, Role.MarketMaker] })
    expect(h.avail(1, 1)).toBe(DEPOSIT)
    expectReject(
      h,
      1,
      { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: 1n, qty: 1n },
      Reject.NotPermitted,
    )
    expectReject(h, 1, transfer(0, 1, 1n), Reject.NotPermitted)
    expectReject(h, 1, withdraw(1, 1n), Reject.NotPermitted)
    expectReject(h, 1, lock(1, 1n, 0n), Reject.NotPermitted)
    // the same ops by the other roles go through
    for (const p of [0, 2]) {
      expect(h.place(p, { price: 1n, qty: 1n }).r).toBe(Reject.None)
      expect(h.apply(p, transfer(1, 1, 1n))).toBe(Reject.None)
      expect(h.apply(p, withdraw(1, 1n))).toBe(Reject.None)
      expect(h.apply(p, lock(1, 1n, 0n))).toBe(Reject.None)
    }
  })

  it('an Observer may still co-sign checkpoints', () => {
    const h = setup({ roles: [Role.Trader, Role.Observer, Role.Trader] })
    const cp: Op = {
      tag: OpTag.Checkpoint,
      version: 1n,
      heads: [new Uint8Array(32)],
      stateRoot: new Uint8Array(32),
      balancesRoot: new Uint8Array(32),
      signature: new Uint8Array(65),
    }
    expect(h.apply(1, cp)).toBe(Reject.None)
  })

  it('UnknownToken', () => {
    const h = setup()
    expectReject(h, 0, withdraw(2, 1n), Reject.UnknownToken)
    expectReject(h, 0, transfer(1, 2, 1n), Reject.UnknownToken)
    expectReject(h, 0, lock(0xffff, 1n, 0n), Reject.UnknownToken)
  })

  it('UnknownParticipant', () => {
    const h = setup()
    expectReject(h, 0, transfer(3, 0, 1n), Reject.UnknownParticipant)
    expectReject(h, 0, transfer(0xffff, 0, 1n), Reject.UnknownParticipant)
  })

  it('UnknownMarket', () => {
    const h = setup()
    expectReject(
      h,
      0,
      { tag: OpTag.Place, market: 1, side: 0, kind: 0, tif: 0, price: 1n, qty: 1n },
      Reject.UnknownMarket,
    )
  })

  it('ZeroAmount', () => {
    const h = setup({ extraDeposits: [{ index: 100n, participant: 0, token: 0, amount: 0n }] })
    expectReject(h, 0, withdraw(0, 0n), Reject.ZeroAmount)
    expectReject(h, 0, transfer(1, 0, 0n), Reject.ZeroAmount)
    expectReject(h, 0, lock(0, 0n, 0n), Reject.ZeroAmount)
    expectReject(
      h,
      0,
      { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: 100n, qty: 0n },
      Reject.ZeroAmount,
    )
    expectReject(
      h,
      0,
      { tag: OpTag.Place, market: 0, side: 1, kind: 0, tif: 0, price: 0n, qty: 1n },
      Reject.ZeroAmount,
    )
    expectReject(h, 0, deposit(100n), Reject.ZeroAmount)
  })

  it('InsufficientFunds: withdraw, transfer, lock, sell and buy (the fee counts)', () => {
    const h = setup()
    expectReject(h, 0, withdraw(0, DEPOSIT + 1n), Reject.InsufficientFunds)
    expectReject(h, 0, transfer(1, 0, DEPOSIT + 1n), Reject.InsufficientFunds)
    expectReject(h, 0, lock(0, DEPOSIT + 1n, 0n), Reject.InsufficientFunds)
    // a sell reserves qty × lotSize of base: 1000 lots of 1000 = 1e6 fit, 1001 do not
    expectReject(
      h,
      1,
      { tag: OpTag.Place, market: 0, side: 1, kind: 0, tif: 0, price: 1n, qty: 1001n },
      Reject.InsufficientFunds,
    )
    // a buy reserves its notional plus the larger fee (5 bps): a notional of exactly 1e6 does not fit
    expectReject(
      h,
      2,
      { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: DEPOSIT, qty: 1n },
      Reject.InsufficientFunds,
    )
    // 999501 + floor(999501 × 5 / 10000) = 1e6 fits exactly
    expect(h.place(2, { price: 999_501n, qty: 1n }).r).toBe(Reject.None)
    expect(h.avail(2, 1)).toBe(0n)
    expect(h.reserved(2, 1)).toBe(DEPOSIT)
    expect(h.place(1, { side: 1, price: 1_000_000n, qty: 1000n }).r).toBe(Reject.None)
    expect(h.avail(1, 0)).toBe(0n)
  })

  it('InsufficientFunds: funds reserved by a resting order or locked cannot be spent again', () => {
    const h = setup()
    expect(h.place(0, { side: Side.Sell, price: 500n, qty: 600n }).r).toBe(Reject.None)
    expectReject(h, 0, transfer(1, 0, DEPOSIT - 600n * 1000n + 1n), Reject.InsufficientFunds)
    expect(h.apply(0, lock(0, DEPOSIT - 600_000n, 10n))).toBe(Reject.None)
    expectReject(h, 0, withdraw(0, 1n), Reject.InsufficientFunds)
  })

  it('AmountOutOfRange: price × qty × tickSize beyond 2^128', () => {
    const wide: Market = { base: 0, quote: 1, tickSize: 1n << 64n, lotSize: 1n }
    const h = setup({ markets: [wide], amount: U128_MAX / 4n })
    const q = 1n << 32n
    // notional = 2^32 × 2^32 × 2^64 = 2^128
    expectReject(
      h,
      0,
      { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: q, qty: q },
      Reject.AmountOutOfRange,
    )
    expectReject(
      h,
      0,
      { tag: OpTag.Place, market: 0, side: 1, kind: 0, tif: 0, price: q, qty: q },
      Reject.AmountOutOfRange,
    )
    // a notional just under 2^128 whose fee pushes the buy reservation over it
    expectReject(
      h,
      0,
      { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: q, qty: q - 1n },
      Reject.AmountOutOfRange,
    )
  })

  it('AmountOutOfRange: a deposit that would take a token’s channel supply past 2^128 − 1', () => {
    const h = setup({
      participants: 2,
      credit: false,
      extraDeposits: [
        { index: 10n, participant: 0, token: 0, amount: U128_MAX },
        { index: 11n, participant: 1, token: 0, amount: 1n },
        { index: 12n, participant: 0, token: 0, amount: 1n },
        { index: 13n, participant: 1, token: 1, amount: U128_MAX },
      ],
    })
    expect(h.apply(0, deposit(10n))).toBe(Reject.None)
    // another participant's deposit would let a transfer push one account past uint128 later
    expectReject(h, 1, deposit(11n), Reject.AmountOutOfRange)
    expectReject(h, 0, deposit(12n), Reject.AmountOutOfRange)
    // other tokens have their own supply
    expect(h.apply(1, deposit(13n))).toBe(Reject.None)
    // so a transfer can never overflow the recipient, and the state root stays computable
    expect(h.apply(0, transfer(1, 0, U128_MAX))).toBe(Reject.None)
    expect(h.state.holdings(1, 0)).toBe(U128_MAX)
    expect(() => stateRoot(h.state)).not.toThrow()
  })

  it('UnknownDeposit: unknown index, or a record naming an unknown participant or token', () => {
    const h = setup({
      extraDeposits: [
        { index: 50n, participant: 3, token: 0, amount: 5n },
        { index: 51n, participant: 0, token: 2, amount: 5n },
      ],
    })
    expectReject(h, 0, deposit(6n), Reject.UnknownDeposit)
    expectReject(h, 0, deposit((1n << 64n) - 1n), Reject.UnknownDeposit)
    expectReject(h, 0, deposit(50n), Reject.UnknownDeposit)
    expectReject(h, 0, deposit(51n), Reject.UnknownDeposit)
  })

  it('DepositAlreadyCredited, whoever submits it again', () => {
    const h = setup()
    expectReject(h, 0, deposit(0n), Reject.DepositAlreadyCredited)
    expectReject(h, 2, deposit(0n), Reject.DepositAlreadyCredited)
  })

  it('SelfTransfer', () => {
    const h = setup()
    expectReject(h, 1, transfer(1, 0, 1n), Reject.SelfTransfer)
  })

  it('UnknownLock: no such lock, or someone else’s lock', () => {
    const h = setup()
    h.height = 5
    expectReject(h, 0, unlock(1n), Reject.UnknownLock)
    const ctx = h.ctx(1)
    expect(h.state.apply(lock(0, 10n, 0n), ctx)).toBe(Reject.None)
    // participant 0 names participant 1's lock by its (seq, index): the key is per author, so it is not found
    expectReject(h, 0, unlock(ctx.seq, ctx.index), Reject.UnknownLock)
    expectReject(h, 1, unlock(ctx.seq, ctx.index + 1), Reject.UnknownLock)
    expect(h.apply(1, unlock(ctx.seq, ctx.index))).toBe(Reject.None)
    // and only once
    expectReject(h, 1, unlock(ctx.seq, ctx.index), Reject.UnknownLock)
  })

  it('LockNotExpired until the height reaches `until`, then unlock returns the funds', () => {
    const h = setup()
    h.height = 3
    const ctx = h.ctx(0)
    expect(h.state.apply(lock(1, 400n, 7n), ctx)).toBe(Reject.None)
    expect(h.avail(0, 1)).toBe(DEPOSIT - 400n)
    expect(h.locked(0, 1)).toBe(400n)
    expect(h.state.holdings(0, 1)).toBe(DEPOSIT)
    for (const height of [3, 6]) {
      h.height = height
      expectReject(h, 0, unlock(ctx.seq), Reject.LockNotExpired)
    }
    h.height = 7
    expect(h.apply(0, unlock(ctx.seq))).toBe(Reject.None)
    expect(h.avail(0, 1)).toBe(DEPOSIT)
    expect(h.locked(0, 1)).toBe(0n)
    expect(h.state.locks.size).toBe(0)
  })

  it('UnknownOrder: no such order, another participant’s order, a filled or cancelled one', () => {
    const h = setup()
    expectReject(h, 0, { tag: OpTag.Cancel, orderSeq: 1n, orderIndex: 0 }, Reject.UnknownOrder)
    const { cancel } = h.place(1, { side: Side.Sell, price: 100n, qty: 5n })
    // participant 2 names participant 1's order: rejected, and the order keeps resting
    expectReject(h, 2, cancel, Reject.UnknownOrder)
    expectReject(h, 0, cancel, Reject.UnknownOrder)
    expect(h.state.books[0]!.asks[0]!.orders).toHaveLength(1)
    expect(h.apply(1, cancel)).toBe(Reject.None)
    expectReject(h, 1, cancel, Reject.UnknownOrder)
    const filled = h.place(1, { side: Side.Sell, price: 100n, qty: 5n }).cancel
    expect(h.place(2, { side: Side.Buy, price: 100n, qty: 5n }).r).toBe(Reject.None)
    expectReject(h, 1, filled, Reject.UnknownOrder)
  })

  it('PostOnlyWouldCross, and a post-only order that does not cross rests', () => {
    const h = setup()
    h.place(1, { side: Side.Sell, price: 100n, qty: 5n })
    expectReject(
      h,
      2,
      { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: TimeInForce.PostOnly, price: 100n, qty: 1n },
      Reject.PostOnlyWouldCross,
    )
    expectReject(
      h,
      2,
      { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: TimeInForce.PostOnly, price: 101n, qty: 1n },
      Reject.PostOnlyWouldCross,
    )
    expect(h.place(2, { tif: TimeInForce.PostOnly, price: 99n, qty: 1n }).r).toBe(Reject.None)
    expect(h.state.books[0]!.bids[0]!.price).toBe(99n)
    expect(h.state.trades).toHaveLength(0)
  })

  it('TooManyOrders counts resting orders only', () => {
    const h = setup({ maxOpenOrders: 2 })
    const a = h.place(1, { price: 90n }).cancel
    h.place(1, { price: 91n })
    expectReject(
      h,
      1,
      { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: 92n, qty: 1n },
      Reject.TooManyOrders,
    )
    expectReject(
      h,
      1,
      { tag: OpTag.Place, market: 0, side: 1, kind: 0, tif: TimeInForce.PostOnly, price: 200n, qty: 1n },
      Reject.TooManyOrders,
    )
    // orders that cannot rest are still allowed
    expect(h.place(1, { tif: TimeInForce.IOC, price: 92n }).r).toBe(Reject.None)
    // others are not limited by participant 1's orders
    expect(h.place(2, { price: 92n }).r).toBe(Reject.None)
    // cancelling frees a slot
    expect(h.apply(1, a)).toBe(Reject.None)
    expect(h.place(1, { price: 92n }).r).toBe(Reject.None)
  })

  it('NoLiquidity: a market order with nothing to match within its protection price', () => {
    const h = setup()
    expectReject(
      h,
      1,
      { tag: OpTag.Place, market: 0, side: 0, kind: OrderKind.Market, tif: 0, price: 1000n, qty: 1n },
      Reject.NoLiquidity,
    )
    h.place(2, { side: Side.Sell, price: 105n, qty: 3n })
    expectReject(
      h,
      1,
      { tag: OpTag.Place, market: 0, side: 0, kind: OrderKind.Market, tif: 0, price: 104n, qty: 1n },
      Reject.NoLiquidity,
    )
    expectReject(
      h,
      1,
      { tag: OpTag.Place, market: 0, side: 1, kind: OrderKind.Market, tif: 0, price: 1n, qty: 1n },
      Reject.NoLiquidity,
    )
  })

  it('every reason the ledger can produce was exercised above (runs last)', () => {
    // every reason the ledger itself can produce has a test (the other two are decided by the replica)
    const all = Object.values(Reject).filter(
      (r) => r !== Reject.None && r !== Reject.Equivocator && r !== Reject.CheckpointInvalid,
    )
    expect([...seen].sort((a, b) => a - b)).toEqual(all)
  })
})

describe('ledger moves keep holdings exact', () => {
  it('a deposit credits the record’s participant and token, whoever submits it', () => {
    const h = setup({ credit: false })
    expect(h.apply(2, deposit(1n))).toBe(Reject.None)
    expect(h.avail(0, 1)).toBe(DEPOSIT)
    expect(h.avail(2, 1)).toBe(0n)
  })

  it('withdraw moves available funds to pending withdrawal; holdings stay', () => {
    const h = setup()
    expect(h.apply(1, withdraw(0, 300n))).toBe(Reject.None)
    expect(h.avail(1, 0)).toBe(DEPOSIT - 300n)
    expect(h.pending(1, 0)).toBe(300n)
    expect(h.state.holdings(1, 0)).toBe(DEPOSIT)
  })

  it('transfer moves available funds between accounts of one token', () => {
    const h = setup()
    expect(h.apply(1, transfer(2, 1, 777n))).toBe(Reject.None)
    expect(h.avail(1, 1)).toBe(DEPOSIT - 777n)
    expect(h.avail(2, 1)).toBe(DEPOSIT + 777n)
    expect(h.avail(2, 0)).toBe(DEPOSIT)
    expect(h.apply(1, transfer(2, 1, DEPOSIT - 777n))).toBe(Reject.None)
    expect(h.avail(1, 1)).toBe(0n)
  })
})

// ─── invariants over random op sequences ─────────────────────────────────────────────────────────────────

const P = 4 // participant 3 is an Observer
const MARKETS: Market[] = [
  { base: 0, quote: 1, tickSize: 1n, lotSize: 1000n },
  { base: 1, quote: 0, tickSize: 3n, lotSize: 7n },
]

type Step =
  | { kind: 'op'; author: number; op: Op }
  /** cancel or unlock whatever exists at position `pick` (possibly someone else's) */
  | { kind: 'cancel'; author: number; pick: number }
  | { kind: 'unlock'; author: number; pick: number }

// the Observer (3) acts less often: its trades and transfers are all refused
const author = fc.constantFrom(0, 1, 2, 0, 1, 2, 3)
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 5000n }),
  fc.constantFrom(DEPOSIT / 2n, 1n << 125n, 1n << 126n, U128_MAX),
)
const token = fc.constantFrom(0, 1, 0, 1, 0, 1, 2)
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.bigInt({ min: 0n, max: 12n }).map(deposit),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.tuple(token, amount).map(([t, a]) => withdraw(t, a)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.tuple(fc.integer({ min: 0, max: P }), token, amount).map(([to, t, a]) => transfer(to, t, a)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.tuple(token, amount, fc.bigInt({ min: 0n, max: 20n })).map(([t, a, u]) => lock(t, a, u)),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.record({
        tag: fc.constant(OpTag.Place),
        market: fc.constantFrom(0, 0, 0, 0, 1, 2),
        side: fc.constantFrom(Side.Buy, Side.Sell),
        kind: fc.constantFrom(OrderKind.Limit, OrderKind.Limit, OrderKind.Market),
        tif: fc.constantFrom(TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.PostOnly),
        price: fc.oneof(
          { weight: 9, arbitrary: fc.bigInt({ min: 98n, max: 102n }) },
          { weight: 1, arbitrary: fc.constantFrom(0n, 1n << 40n) },
        ),
        qty: fc.oneof(
          { weight: 9, arbitrary: fc.bigInt({ min: 1n, max: 30n }) },
          { weight: 1, arbitrary: fc.constantFrom(0n, 1n << 40n) },
        ),
      }) as fc.Arbitrary<Op>,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), author, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unlock' as const), author, pick: fc.nat() }) },
)

const scenario = fc.record({
  amount: fc.constantFrom(DEPOSIT, DEPOSIT, 10n ** 15n, 1n << 126n, U128_MAX),
  fees: fc.constantFrom([0n, 0n], [2n, 5n], [1000n, 3n], [7n, 1000n]),
  steps: fc.array(step, { minLength: 20, maxLength: 60 }),
})

const channels = new Map<string, Channel>()
/** One channel per fee pair (signing is the slow part), shared across runs: the fold never mutates it. */
function channelWithFees(fees: readonly bigint[]): Channel {
  const key = fees.join('/')
  const cached = channels.get(key)
  if (cached) return cached
  const tc = makeTestChannel({
    participants: P,
    label: 'state-prop',
    roles: [Role.Trader, Role.MarketMaker, Role.Liquidator, Role.Observer],
    makerFeeBps: fees[0],
    takerFeeBps: fees[1],
    maxOpenOrders: 4,
  })
  const config = structuredClone(tc.channel.config)
  config.markets = MARKETS
  const channel = openChannel(config)
  channels.set(key, channel)
  return channel
}

function fixture(amount: bigint, fees: readonly bigint[]) {
  const channel = channelWithFees(fees)
  const records = [
    ...testDeposits(P, 2, amount),
    { index: 8n, participant: 1, token: 0, amount: 1n },
    { index: 9n, participant: 2, token: 1, amount: amount / 3n },
    { index: 10n, participant: 0, token: 1, amount: 0n },
    { index: 11n, participant: 7, token: 0, amount: 5n },
  ]
  const deposits = new Map(records.map((d) => [d.index, d]))
  const state = new ChannelState(channel, deposits)
  // fund everyone up front (deposits that would overflow a token's supply are refused); steps may retry
  for (const d of testDeposits(P, 2, amount))
    state.apply(deposit(d.index), { author: 0, seq: 0n, index: 0, height: 0, block: 'genesis' })
  return state
}

/** Resolves a step to a concrete op against the current state (cancels and unlocks name existing things). */
function resolve(s: ChannelState, st: Step): Op {
  if (st.kind === 'op') return st.op
  const keys =
    st.kind === 'cancel'
      ? s.books.flatMap((b) => [...b.orders()].map((o) => o.key))
      : [...s.locks.keys()].sort()
  const key = keys.length > 0 ? keys[st.pick % (keys.length + 1)] : undefined
  const [, seq, index] = (key ?? `0:${st.pick}:0`).split(':')
  return st.kind === 'cancel'
    ? { tag: OpTag.Cancel, orderSeq: BigInt(seq!), orderIndex: Number(index) }
    : unlock(BigInt(seq!), Number(index))
}

/** A cheap assertion for the hot invariant loop (expect() per value would dominate the runtime). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant violated: ${what}`)
}

function checkInvariants(s: ChannelState): void {
  const { markets, params } = s.channel.config
  // conservation: holdings per token equal what was credited from the contract
  for (let t = 0; t < s.T; t++) {
    let credited = 0n
    for (const i of s.credited) if (s.deposits.get(i)!.token === t) credited += s.deposits.get(i)!.amount
    let held = 0n
    for (let p = 0; p < s.P; p++) held += s.holdings(p, t)
    check(held === credited, `token ${t}: holdings ${held} ≠ credited ${credited}`)
  }
  // every bucket within [0, 2^128 − 1]: settleable on chain
  for (const bucket of [s.avail, s.locked, s.reserved, s.pendingWithdrawal])
    for (const v of bucket) check(v >= 0n && v <= U128_MAX, `bucket value ${v}`)
  for (let p = 0; p < s.P; p++)
    for (let t = 0; t < s.T; t++) check(s.holdings(p, t) <= U128_MAX, `holdings(${p}, ${t}) over uint128`)
  // reservations are exactly the resting orders' reservations; locks are exactly the lock records
  const reserved = new Array<bigint>(s.P * s.T).fill(0n)
  const locked = new Array<bigint>(s.P * s.T).fill(0n)
  const open = new Array<number>(s.P).fill(0)
  const maxFee = params.makerFeeBps > params.takerFeeBps ? params.makerFeeBps : params.takerFeeBps
  s.books.forEach((book, m) => {
    const market = markets[m]!
    let count = 0
    for (const o of book.orders()) {
      count++
      open[o.owner]!++
      check(o.remaining > 0n, `order ${o.key} rests empty`)
      check(book.byKey.get(o.key) === o, `order ${o.key} not indexed`)
      if (o.side === Side.Buy) {
        reserved[o.owner * s.T + market.quote]! += o.reserved
        // enough left to pay for the rest at its limit price, fee included
        const cost = o.remaining * o.price * market.tickSize
        check(o.reserved >= cost + (cost * maxFee) / BPS, `bid ${o.key} under-reserved`)
      } else {
        reserved[o.owner * s.T + market.base]! += o.reserved
        check(o.reserved === o.remaining * market.lotSize, `ask ${o.key} reservation`)
      }
    }
    check(book.byKey.size === count, 'byKey size')
    // levels strictly ordered, never empty, and the book never crossed
    const prices = (side: Side) => book.levels(side).map((l) => l.price)
    for (const l of [...book.bids, ...book.asks]) check(l.head < l.orders.length, 'empty level')
    const bids = prices(Side.Buy)
    const asks = prices(Side.Sell)
    for (let i = 1; i < bids.length; i++) check(bids[i]! < bids[i - 1]!, 'bids not descending')
    for (let i = 1; i < asks.length; i++) check(asks[i]! > asks[i - 1]!, 'asks not ascending')
    if (bids.length > 0 && asks.length > 0) check(bids[0]! < asks[0]!, 'crossed book')
  })
  for (const l of s.locks.values()) locked[l.owner * s.T + l.token]! += l.amount
  check(
    s.reserved.every((v, i) => v === reserved[i]),
    'reserved buckets ≠ resting orders',
  )
  check(
    s.locked.every((v, i) => v === locked[i]),
    'locked buckets ≠ locks',
  )
  check(
    s.openOrders.every((v, i) => v === open[i]),
    'open order counts',
  )
}

describe('invariants under random op sequences (THREATS rows 7, 15)', () => {
  it('conservation, no negative or oversized bucket, reservations match the books, rejects leave no trace', () => {
    fc.assert(
      fc.property(scenario, ({ amount, fees, steps }) => {
        const s = fixture(amount, fees)
        const seqs = new Array<bigint>(P).fill(0n)
        steps.forEach((st, i) => {
          const op = resolve(s, st)
          seqs[st.author]! += 1n
          const ctx = { author: st.author, seq: seqs[st.author]!, index: 0, height: i, block: `b${i}` }
          const before = toHex(stateRoot(s))
          const r = s.apply(op, ctx)
          if (r !== Reject.None) check(toHex(stateRoot(s)) === before, `rejected op (${r}) changed the state`)
          const restricted =
            op.tag === OpTag.Place ||
            op.tag === OpTag.Transfer ||
            op.tag === OpTag.Withdraw ||
            op.tag === OpTag.Lock
          if (st.author === 3 && restricted) check(r === Reject.NotPermitted, 'observer acted')
          checkInvariants(s)
        })
      }),
      { numRuns: 200 },
    )
  })

  it('clone() is a deep copy: mutating the clone leaves the original untouched', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ amount, fees, steps }, cut) => {
        const s = fixture(amount, fees)
        const seqs = new Array<bigint>(P).fill(0n)
        const run = (target: ChannelState, from: number, to: number) => {
          for (let i = from; i < to; i++) {
            const st = steps[i]!
            seqs[st.author]! += 1n
            target.apply(resolve(target, st), {
              author: st.author,
              seq: seqs[st.author]!,
              index: 0,
              height: i,
              block: `b${i}`,
            })
          }
        }
        const k = cut % (steps.length + 1)
        run(s, 0, k)
        const root = toHex(stateRoot(s))
        const resting = s.books.map((b) => [...b.orders()].map((o) => ({ ...o })))
        const c = s.clone()
        expect(toHex(stateRoot(c))).toBe(root)
        run(c, k, steps.length)
        // also poke the clone's containers directly
        c.avail[0]! += 1n
        c.credited.add(999n)
        c.locks.clear()
        for (const b of c.books) for (const o of b.orders()) o.remaining += 1n
        expect(toHex(stateRoot(s))).toBe(root)
        expect(s.books.map((b) => [...b.orders()])).toEqual(resting)
        checkInvariants(s)
      }),
      { numRuns: 100 },
    )
  })
})
