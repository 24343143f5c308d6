import { describe, expect, it } from 'vitest'
import { DEPOSIT_WINDOW } from './attestations.ts'
import { toHex } from './bytes.ts'
import { type Market, Role } from './channel.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { stateRoot } from './roots.ts'
import {
  DEPOSIT,
  deposit,
  expectReject,
  lock,
  rejectsSeen,
  setup,
  transfer,
  unlock,
  withdraw,
} from './state.fixture.ts'
import { ChannelState, type DepositRecord } from './state.ts'
import { U128_MAX } from './u128.ts'

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
    expect([...rejectsSeen].sort((a, b) => a - b)).toEqual(all)
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
