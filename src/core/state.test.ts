import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEPOSIT_WINDOW } from './attestations.ts'
import { toHex } from './bytes.ts'
import { type Channel, type Market, openChannel, Role } from './channel.ts'
import { type CancelOp, type Op, OpTag, OrderKind, type PlaceOp, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { stateRoot } from './roots.ts'
import { ChannelState, type DepositRecord, type OpContext } from './state.ts'
import { type MakeTestChannelParameters, makeTestChannel, testDeposits } from './testing.ts'
import { U128_MAX } from './u128.ts'

const BPS = 10_000n
const DEPOSIT = 1_000_000n

type SetupOptions = Omit<MakeTestChannelParameters, 'participants'> & {
  participants?: number
  amount?: bigint
  markets?: Market[]
  /** false: start unfunded, with no record credited */
  credit?: boolean
}

/**
 * A ChannelState with every participant funded (one record per participant and token, credited by a quorum of
 * attestations), and an author-aware op runner.
 */
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
  const records = testDeposits(P, channel.config.tokens.length, o.amount ?? DEPOSIT)
  const state = new ChannelState(channel)
  const q = channel.config.threshold
  const seqs = new Array<bigint>(P).fill(0n)
  const h = {
    state,
    records,
    q,
    height: 0,
    time: 0n,
    ctx(author: number): OpContext {
      seqs[author]! += 1n
      return {
        author,
        seq: seqs[author]!,
        index: 0,
        height: h.height,
        block: `b${author}:${seqs[author]}`,
        time: h.time,
      }
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
    /** Attestations of `rec` by participants 0 … q − 1: the last one credits it (when it is next in order). */
    credit(rec: DepositRecord): void {
      for (let a = 0; a < q; a++) expect(h.apply(a, deposit(rec))).toBe(Reject.None)
      expect(state.isCredited(rec.index)).toBe(true)
    },
    avail: (p: number, t: number) => state.avail[p * state.T + t]!,
    reserved: (p: number, t: number) => state.reserved[p * state.T + t]!,
    locked: (p: number, t: number) => state.locked[p * state.T + t]!,
    pending: (p: number, t: number) => state.pendingWithdrawal[p * state.T + t]!,
  }
  if (o.credit !== false) for (const d of records) h.credit(d)
  return h
}
type Harness = ReturnType<typeof setup>

/** The attestation of a deposit record, exactly as the contract stored it (or as someone claims it did). */
const deposit = (r: DepositRecord): Op => ({
  tag: OpTag.Deposit,
  depositIndex: r.index,
  participant: r.participant,
  token: r.token,
  amount: r.amount,
})
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
      leader: new Uint8Array(32),
      time: 0n,
      depositCount: 6n,
      forcedCount: 0n,
      stateRoot: new Uint8Array(32),
      balancesRoot: new Uint8Array(32),
      signature: new Uint8Array(65),
    }
    const before = toHex(stateRoot(h.state))
    expect(h.apply(1, cp)).toBe(Reject.None)
    expect(h.apply(1, { tag: OpTag.CheckpointRequest })).toBe(Reject.None)
    // and attest deposits (which only count at a quorum)
    expect(h.apply(1, deposit({ index: 6n, participant: 0, token: 0, amount: 1n }))).toBe(Reject.None)
    // signatures and requests are no ledger change (the replica handles them)
    expect(h.apply(0, cp)).toBe(Reject.None)
    expect(h.state.attestations.size).toBe(1)
    h.state.attestations.clear()
    expect(toHex(stateRoot(h.state))).toBe(before)
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
    const h = setup()
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
    expectReject(h, 0, deposit({ index: 6n, participant: 0, token: 0, amount: 0n }), Reject.ZeroAmount)
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

  it('AmountOutOfRange: a deposit that would take a token’s channel supply past 2^128 − 1 credits nothing', () => {
    const h = setup({ participants: 2, credit: false })
    expect(h.q).toBe(2)
    const records: DepositRecord[] = [
      { index: 0n, participant: 0, token: 0, amount: U128_MAX },
      { index: 1n, participant: 1, token: 0, amount: 1n },
      { index: 2n, participant: 0, token: 0, amount: 1n },
      { index: 3n, participant: 1, token: 1, amount: U128_MAX },
    ]
    h.credit(records[0]!)
    expect(h.state.holdings(0, 0)).toBe(U128_MAX)
    // another participant's deposit would let a transfer push one account past uint128 later: the record is
    // passed over (counted, so later records are not stuck) and credits nothing
    h.credit(records[1]!)
    h.credit(records[2]!)
    expect(h.state.depositCount).toBe(3n)
    expect(h.state.holdings(1, 0)).toBe(0n)
    expect(h.state.holdings(0, 0)).toBe(U128_MAX)
    // other tokens have their own supply
    h.credit(records[3]!)
    expect(h.state.holdings(1, 1)).toBe(U128_MAX)
    // so a transfer can never overflow the recipient, and the state root stays computable
    expect(h.apply(0, transfer(1, 0, U128_MAX))).toBe(Reject.None)
    expect(h.state.holdings(1, 0)).toBe(U128_MAX)
    expect(() => stateRoot(h.state)).not.toThrow()
    // creditGenesis, by contrast, refuses such a record outright
    const g = new ChannelState(h.state.channel)
    expect(() => g.creditGenesis(records.slice(0, 2))).toThrow(RangeError)
  })

  it('UnknownDeposit: an index beyond the attestation window; unknown participant or token', () => {
    const h = setup()
    const next = h.state.depositCount
    expect(next).toBe(6n)
    const rec = (index: bigint, participant = 0, token = 0): DepositRecord => ({
      index,
      participant,
      token,
      amount: 5n,
    })
    expectReject(h, 0, deposit(rec(next + DEPOSIT_WINDOW)), Reject.UnknownDeposit)
    expectReject(h, 0, deposit(rec((1n << 64n) - 1n)), Reject.UnknownDeposit)
    expectReject(h, 0, deposit(rec(next, 3)), Reject.UnknownParticipant)
    expectReject(h, 0, deposit(rec(next, 0xffff)), Reject.UnknownParticipant)
    expectReject(h, 0, deposit(rec(next, 0, 2)), Reject.UnknownToken)
    // the last index inside the window is held
    expect(h.apply(0, deposit(rec(next + DEPOSIT_WINDOW - 1n)))).toBe(Reject.None)
    expect(h.state.attestations.has(next + DEPOSIT_WINDOW - 1n)).toBe(true)
  })

  it('DepositAlreadyCredited, whoever attests it again, with any content', () => {
    const h = setup({ participants: 4 })
    expect(h.q).toBe(3)
    const rec = h.records[0]!
    expectReject(h, 0, deposit(rec), Reject.DepositAlreadyCredited)
    // participant 3 did not attest it before the quorum formed: it is still too late
    expectReject(h, 3, deposit(rec), Reject.DepositAlreadyCredited)
    expectReject(h, 3, deposit({ ...rec, amount: rec.amount + 1n }), Reject.DepositAlreadyCredited)
    expectReject(h, 1, deposit(h.records[7]!), Reject.DepositAlreadyCredited)
  })

  it('DepositAlreadyAttested: one participant counts once per record, whatever content it attests', () => {
    const h = setup({ participants: 4 })
    expect(h.q).toBe(3)
    const rec: DepositRecord = { index: h.state.depositCount, participant: 1, token: 0, amount: 42n }
    expect(h.apply(0, deposit(rec))).toBe(Reject.None)
    expectReject(h, 0, deposit(rec), Reject.DepositAlreadyAttested)
    expectReject(h, 0, deposit(rec), Reject.DepositAlreadyAttested)
    expectReject(h, 0, deposit({ ...rec, amount: 43n }), Reject.DepositAlreadyAttested)
    expect(h.apply(1, deposit(rec))).toBe(Reject.None)
    // two distinct attesters of three: repeating an attestation did not make a quorum
    expect(h.state.isCredited(rec.index)).toBe(false)
    expect(h.state.holdings(1, 0)).toBe(DEPOSIT)
    expect(h.apply(3, deposit(rec))).toBe(Reject.None)
    expect(h.state.isCredited(rec.index)).toBe(true)
    expect(h.state.holdings(1, 0)).toBe(DEPOSIT + 42n)
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
    // every reason the ledger itself can produce has a test (the other two are decided by the replica; the perp
    // reasons, from WrongMarketKind on, are exercised in perps/perps.test.ts)
    const all = Object.values(Reject).filter(
      (r) =>
        r !== Reject.None &&
        r !== Reject.Equivocator &&
        r !== Reject.CheckpointInvalid &&
        r < Reject.WrongMarketKind,
    )
    expect([...seen].sort((a, b) => a - b)).toEqual(all)
  })
})

describe('ledger moves keep holdings exact', () => {
  it('a deposit credits the record’s participant and token, whoever attests it', () => {
    const h = setup({ participants: 4, credit: false })
    expect(h.q).toBe(3)
    const rec = h.records[1]!
    expect(rec).toMatchObject({ participant: 0, token: 1 })
    // attested by 1, 2 and 3, never by the depositor 0
    for (const r of [h.records[0]!, rec])
      for (const a of [3, 1, 2]) expect(h.apply(a, deposit(r))).toBe(Reject.None)
    expect(h.avail(0, 1)).toBe(DEPOSIT)
    expect(h.avail(0, 0)).toBe(DEPOSIT)
    for (const a of [1, 2, 3]) for (const t of [0, 1]) expect(h.avail(a, t)).toBe(0n)
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

describe('deposits: credited at q identical attestations, in index order', () => {
  /** P = 4, q = 3: participant 3 plays the liar where one is needed */
  const fresh = () => setup({ participants: 4, credit: false })
  const rec = (index: bigint, participant = 1, token = 0, amount = 500n): DepositRecord => ({
    index,
    participant,
    token,
    amount,
  })

  it('q − 1 attestations credit nothing; the q-th credits the record’s participant and token', () => {
    const h = fresh()
    expect(h.q).toBe(3)
    const r = rec(0n, 2, 1)
    expect(h.apply(0, deposit(r))).toBe(Reject.None)
    expect(h.apply(3, deposit(r))).toBe(Reject.None)
    expect(h.state.isCredited(0n)).toBe(false)
    expect(h.state.depositCount).toBe(0n)
    expect(h.state.holdings(2, 1)).toBe(0n)
    expect(h.state.attestations.get(0n)).toEqual([{ record: r, by: 0b1001n, count: 2 }])
    expect(h.apply(1, deposit(r))).toBe(Reject.None)
    expect(h.state.isCredited(0n)).toBe(true)
    expect(h.state.isCredited(1n)).toBe(false)
    expect(h.state.depositCount).toBe(1n)
    expect(h.avail(2, 1)).toBe(500n)
    // credited once: nothing else moved, and the attestations are gone
    for (let p = 0; p < 4; p++)
      for (let t = 0; t < 2; t++) if (p !== 2 || t !== 1) expect(h.avail(p, t)).toBe(0n)
    expect(h.state.attestations.size).toBe(0)
  })

  it('attestations of different content do not add up; the content with q attesters is what is credited', () => {
    const h = fresh()
    const real = rec(0n)
    const variants = [
      { ...real, amount: 501n },
      { ...real, participant: 2 },
      { ...real, token: 1 },
    ]
    // q attestations in total but of four different contents: none credits
    expect(h.apply(3, deposit(variants[0]!))).toBe(Reject.None)
    expect(h.apply(0, deposit(variants[1]!))).toBe(Reject.None)
    expect(h.apply(1, deposit(variants[2]!))).toBe(Reject.None)
    expect(h.apply(2, deposit(real))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(0n)
    expect(h.state.attestations.get(0n)).toHaveLength(4)
    for (let p = 0; p < 4; p++) for (let t = 0; t < 2; t++) expect(h.state.holdings(p, t)).toBe(0n)
  })

  it('a record with a quorum waits for every lower index; crediting that one credits the run behind it', () => {
    const h = fresh()
    const rs = [rec(0n, 0, 0, 10n), rec(1n, 1, 0, 20n), rec(2n, 2, 1, 30n)]
    for (const a of [0, 1, 2]) expect(h.apply(a, deposit(rs[2]!))).toBe(Reject.None)
    for (const a of [1, 2, 3]) expect(h.apply(a, deposit(rs[1]!))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(0n)
    expect(h.state.isCredited(1n) || h.state.isCredited(2n)).toBe(false)
    expect(h.avail(1, 0) + h.avail(2, 1)).toBe(0n)
    expect(h.apply(3, deposit(rs[0]!))).toBe(Reject.None)
    expect(h.apply(0, deposit(rs[0]!))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(0n)
    expect(h.apply(2, deposit(rs[0]!))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(3n)
    expect([h.avail(0, 0), h.avail(1, 0), h.avail(2, 1)]).toEqual([10n, 20n, 30n])
    expect(h.state.attestations.size).toBe(0)
  })

  it('a made-up record attested by fewer than q is never credited, and a missing index holds back later ones', () => {
    const h = fresh()
    const liar = 3
    // the liar invents record 0 (a deposit to itself) and attests it; honest participants attest the real one
    expect(h.apply(liar, deposit(rec(0n, liar, 0, 1n << 100n)))).toBe(Reject.None)
    for (const a of [0, 1]) expect(h.apply(a, deposit(rec(0n)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(0n)
    expect(h.apply(2, deposit(rec(0n)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(1n)
    expect(h.state.holdings(liar, 0)).toBe(0n)
    expect(h.avail(1, 0)).toBe(500n)
    // an index no honest participant saw on chain: the liar's attestation alone never credits it…
    expect(h.apply(liar, deposit(rec(1n, liar)))).toBe(Reject.None)
    // …and records behind it wait, even with a quorum, until index 1 itself has one
    for (const a of [0, 1, 2]) expect(h.apply(a, deposit(rec(2n, 2)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(1n)
    expect(h.state.holdings(liar, 0)).toBe(0n)
    expect(h.state.holdings(2, 0)).toBe(0n)
  })

  it('an honest quorum attesting the real records always credits all of them, whatever the order and the lies', () => {
    const chainRecords = fc.array(
      fc.record({
        participant: fc.integer({ min: 0, max: 3 }),
        token: fc.integer({ min: 0, max: 1 }),
        amount: fc.bigInt({ min: 1n, max: 1n << 64n }),
      }),
      { minLength: 1, maxLength: 8 },
    )
    const h0 = fresh()
    fc.assert(
      fc.property(
        chainRecords,
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        fc.boolean(),
        (raw, liar, seed, lies) => {
          const records = raw.map((r, i) => ({ ...r, index: BigInt(i) }))
          const state = new ChannelState(h0.state.channel)
          // every (attester, record) pair once: honest attesters the real content, the liar made-up content
          const events: [number, DepositRecord][] = []
          for (const r of records)
            for (let a = 0; a < 4; a++)
              if (a !== liar) events.push([a, r])
              else if (lies)
                events.push([a, { ...r, participant: (r.participant + 1) % 4, amount: r.amount + 1n }])
          // a deterministic shuffle from the seed
          let x = seed
          for (let i = events.length - 1; i > 0; i--) {
            x = (x * 1103515245 + 12345) % 2147483648
            const j = x % (i + 1)
            ;[events[i], events[j]] = [events[j]!, events[i]!]
          }
          for (const [a, r] of events) {
            const result = state.apply(deposit(r), {
              author: a,
              seq: 1n,
              index: 0,
              height: 0,
              block: 'x',
              time: 0n,
            })
            // the only refusal is the late one: attesting a record already credited
            expect([Reject.None, Reject.DepositAlreadyCredited]).toContain(result)
          }
          expect(state.depositCount).toBe(BigInt(records.length))
          expect(state.attestations.size).toBe(0)
          for (let p = 0; p < 4; p++)
            for (let t = 0; t < 2; t++) {
              let want = 0n
              for (const r of records) if (r.participant === p && r.token === t) want += r.amount
              expect(state.holdings(p, t)).toBe(want)
            }
        },
      ),
      { numRuns: 100 },
    )
  })

  it(`attestations are accepted up to DEPOSIT_WINDOW (${DEPOSIT_WINDOW}) records ahead; the window slides`, () => {
    const h = fresh()
    const far = DEPOSIT_WINDOW
    expectReject(h, 0, deposit(rec(far)), Reject.UnknownDeposit)
    expect(h.apply(0, deposit(rec(far - 1n)))).toBe(Reject.None)
    for (const a of [0, 1, 2]) expect(h.apply(a, deposit(rec(0n)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(1n)
    expect(h.apply(0, deposit(rec(far)))).toBe(Reject.None)
    expectReject(h, 0, deposit(rec(far + 1n)), Reject.UnknownDeposit)
    expect([...h.state.attestations.keys()].sort()).toEqual([far - 1n, far])
  })

  it('the state root covers pending attestations: who attested what, at which index', () => {
    const roots = new Set<string>()
    const variants: [number, DepositRecord][][] = [
      [],
      [[0, rec(0n)]],
      [[1, rec(0n)]],
      [[0, rec(1n)]],
      [[0, rec(0n, 2)]],
      [[0, rec(0n, 1, 1)]],
      [[0, rec(0n, 1, 0, 501n)]],
      [
        [0, rec(0n)],
        [1, rec(0n)],
      ],
    ]
    for (const v of variants) {
      const h = fresh()
      for (const [a, r] of v) expect(h.apply(a, deposit(r))).toBe(Reject.None)
      roots.add(toHex(stateRoot(h.state)))
    }
    expect(roots.size).toBe(variants.length)
  })

  it('creditGenesis credits records 0, 1, 2, … before any block and refuses gaps', () => {
    const h = fresh()
    const s = h.state
    s.creditGenesis([rec(0n, 0, 0, 7n), rec(1n, 3, 1, 9n)])
    expect(s.depositCount).toBe(2n)
    expect(s.isCredited(1n)).toBe(true)
    expect(s.isCredited(2n)).toBe(false)
    expect([s.avail[0], s.avail[3 * 2 + 1]]).toEqual([7n, 9n])
    expect(() => s.creditGenesis([rec(3n)])).toThrow(RangeError)
    expect(() => new ChannelState(s.channel).creditGenesis([rec(1n)])).toThrow(RangeError)
    // attestations continue from there
    expectReject(h, 0, deposit(rec(1n, 3, 1, 9n)), Reject.DepositAlreadyCredited)
    for (const a of [0, 1, 2]) expect(h.apply(a, deposit(rec(2n)))).toBe(Reject.None)
    expect(s.depositCount).toBe(3n)
  })

  it('a clone’s attestations are its own', () => {
    const h = fresh()
    expect(h.apply(0, deposit(rec(0n)))).toBe(Reject.None)
    const root = toHex(stateRoot(h.state))
    const c = h.state.clone()
    for (const a of [1, 2]) expect(c.apply(deposit(rec(0n)), { ...h.ctx(a) })).toBe(Reject.None)
    expect(c.depositCount).toBe(1n)
    expect(h.state.depositCount).toBe(0n)
    expect(h.state.attestations.get(0n)).toEqual([{ record: rec(0n), by: 1n, count: 1 }])
    expect(toHex(stateRoot(h.state))).toBe(root)
    // and the original can still reach its own quorum
    for (const a of [3, 2]) expect(h.apply(a, deposit(rec(0n)))).toBe(Reject.None)
    expect(h.state.depositCount).toBe(1n)
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
  /** attest chain record `index` as stored (honest) or with made-up content */
  | { kind: 'attest'; author: number; index: number; fake: DepositRecord | null }
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
      kind: fc.constant('attest' as const),
      author,
      index: fc.integer({ min: 0, max: 12 }),
      fake: fc.option(
        fc.record({
          index: fc.constant(0n),
          participant: fc.constantFrom(0, 1, 2, 3, 7),
          token: fc.constantFrom(0, 1, 2),
          amount: fc.constantFrom(0n, 1n, 5000n, U128_MAX),
        }),
        { freq: 3 },
      ),
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
  // a quorum attests the next record at once: funding keeps up with the other ops
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('attest' as const),
      author: fc.constant(-1),
      index: fc.constant(-1),
      fake: fc.constant(null),
    }),
  },
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

const FAKE: DepositRecord = { index: 0n, participant: 0, token: 0, amount: 1n }

/**
 * The contract's deposit records and a model of what the fold must credit: a record once q distinct
 * participants attested the same content, in index order, skipping (but counting) records past a token's supply.
 */
class Chain {
  /** index → content key → attesters */
  private readonly seen = new Map<bigint, Map<string, Set<number>>>()
  credited = 0n
  readonly supply = [0n, 0n]
  constructor(
    readonly records: DepositRecord[],
    readonly q: number,
  ) {}

  /** Records an accepted attestation and advances the model's credited prefix. */
  observe(s: ChannelState, op: Op, author: number, r: Reject): void {
    if (op.tag !== OpTag.Deposit || r !== Reject.None) return
    const key = `${op.participant}/${op.token}/${op.amount}`
    const byContent = this.seen.get(op.depositIndex) ?? new Map<string, Set<number>>()
    this.seen.set(op.depositIndex, byContent)
    const set = byContent.get(key) ?? new Set<number>()
    byContent.set(key, set)
    check(!set.has(author), 'an attestation was accepted twice')
    set.add(author)
    for (;;) {
      const winner = [...(this.seen.get(this.credited)?.entries() ?? [])].find(([, v]) => v.size >= this.q)
      if (!winner) break
      const [participant, token, amount] = winner[0].split('/')
      const t = Number(token)
      check(
        Number(participant) < s.P && t < s.T && BigInt(amount!) > 0n,
        'an invalid record reached a quorum',
      )
      if (this.supply[t]! + BigInt(amount!) <= U128_MAX) this.supply[t]! += BigInt(amount!)
      this.credited++
    }
  }

  /** Participants 0 … q − 1 attest the next record as stored (those who already did are refused). */
  quorumNext(s: ChannelState): void {
    const rec = this.records[Number(s.depositCount)]
    if (!rec) return
    for (let a = 0; a < this.q; a++) {
      const op = deposit(rec)
      const before = toHex(stateRoot(s))
      const r = s.apply(op, { author: a, seq: 0n, index: 0, height: 0, block: 'attest', time: 0n })
      if (r !== Reject.None)
        check(toHex(stateRoot(s)) === before, `rejected attestation (${r}) changed the state`)
      this.observe(s, op, a, r)
    }
  }
}

function fixture(amount: bigint, fees: readonly bigint[]) {
  const channel = channelWithFees(fees)
  const records = [
    ...testDeposits(P, 2, amount),
    { index: 8n, participant: 1, token: 0, amount: 1n },
    { index: 9n, participant: 2, token: 1, amount: amount / 3n + 1n },
    { index: 10n, participant: 0, token: 1, amount: 5n },
  ]
  const state = new ChannelState(channel)
  const chain = new Chain(records, channel.config.threshold)
  // fund everyone up front (deposits that would overflow a token's supply credit nothing); steps add more
  for (let i = 0; i < P * 2; i++) chain.quorumNext(state)
  check(state.depositCount === BigInt(P * 2), 'funding')
  return { state, chain }
}

/** Resolves a step to a concrete op against the current state (cancels and unlocks name existing things). */
function resolve(s: ChannelState, st: Step, chain: Chain): Op {
  if (st.kind === 'op') return st.op
  if (st.kind === 'attest') {
    const real = chain.records[st.index]
    return deposit(st.fake || !real ? { ...(st.fake ?? real ?? FAKE), index: BigInt(st.index) } : real)
  }
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

function checkInvariants(s: ChannelState, chain: Chain): void {
  const { markets, params } = s.channel.config
  // conservation: holdings per token equal what was credited from the contract
  check(s.depositCount === chain.credited, `depositCount ${s.depositCount} ≠ model ${chain.credited}`)
  for (let t = 0; t < s.T; t++) {
    let held = 0n
    for (let p = 0; p < s.P; p++) held += s.holdings(p, t)
    check(held === chain.supply[t], `token ${t}: holdings ${held} ≠ credited ${chain.supply[t]}`)
  }
  // pending attestations: inside the window, one bit per attester, and none of them a quorum
  for (const [index, list] of s.attestations) {
    check(index >= s.depositCount && index < s.depositCount + DEPOSIT_WINDOW, `attestation at ${index}`)
    let all = 0n
    for (const a of list) {
      check((all & a.by) === 0n, `index ${index}: an attester counted twice`)
      all |= a.by
      check(a.count === a.by.toString(2).split('1').length - 1, `index ${index}: count ≠ attesters`)
      check(index > s.depositCount || a.count < s.quorum, `record ${index} has a quorum but is not credited`)
    }
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
        const { state: s, chain } = fixture(amount, fees)
        const seqs = new Array<bigint>(P).fill(0n)
        steps.forEach((st, i) => {
          if (st.kind === 'attest' && st.author < 0) {
            chain.quorumNext(s)
            checkInvariants(s, chain)
            return
          }
          const op = resolve(s, st, chain)
          seqs[st.author]! += 1n
          const ctx = {
            author: st.author,
            seq: seqs[st.author]!,
            index: 0,
            height: i,
            block: `b${i}`,
            time: 0n,
          }
          const before = toHex(stateRoot(s))
          const r = s.apply(op, ctx)
          if (r !== Reject.None) check(toHex(stateRoot(s)) === before, `rejected op (${r}) changed the state`)
          chain.observe(s, op, st.author, r)
          const restricted =
            op.tag === OpTag.Place ||
            op.tag === OpTag.Transfer ||
            op.tag === OpTag.Withdraw ||
            op.tag === OpTag.Lock
          if (st.author === 3 && restricted) check(r === Reject.NotPermitted, 'observer acted')
          checkInvariants(s, chain)
        })
      }),
      { numRuns: 200 },
    )
  })

  it('clone() is a deep copy: mutating the clone leaves the original untouched', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ amount, fees, steps }, cut) => {
        const { state: s, chain } = fixture(amount, fees)
        const seqs = new Array<bigint>(P).fill(0n)
        const run = (target: ChannelState, from: number, to: number) => {
          for (let i = from; i < to; i++) {
            const st = steps[i]!
            if (st.author < 0) continue
            seqs[st.author]! += 1n
            target.apply(resolve(target, st, chain), {
              author: st.author,
              seq: seqs[st.author]!,
              index: 0,
              height: i,
              block: `b${i}`,
              time: 0n,
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
        c.depositCount += 1n
        c.apply(deposit({ index: c.depositCount, participant: 0, token: 0, amount: 1n }), {
          author: 0,
          seq: 999n,
          index: 0,
          height: 0,
          block: 'poke',
          time: 0n,
        })
        c.attestations.clear()
        c.locks.clear()
        for (const b of c.books) for (const o of b.orders()) o.remaining += 1n
        expect(toHex(stateRoot(s))).toBe(root)
        expect(s.books.map((b) => [...b.orders()])).toEqual(resting)
        checkInvariants(s, chain)
      }),
      { numRuns: 100 },
    )
  })
})
