import { expect } from 'vitest'
import { toHex } from './bytes.ts'
import { type Market, openChannel } from './channel.ts'
import { type CancelOp, type Op, OpTag, type PlaceOp, Side } from './ops.ts'
import { Reject } from './reasons.ts'
import { stateRoot } from './roots.ts'
import { ChannelState, type DepositRecord, type OpContext } from './state.ts'
import { type MakeTestChannelParameters, makeTestChannel, testDeposits } from './testing.ts'

/** The harness the ChannelState tests share: a funded state, an author-aware op runner and op builders. */

export const DEPOSIT = 1_000_000n

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
export function setup(o: SetupOptions = {}) {
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
export type Harness = ReturnType<typeof setup>

/** The attestation of a deposit record, exactly as the contract stored it (or as someone claims it did). */
export const deposit = (r: DepositRecord): Op => ({
  tag: OpTag.Deposit,
  depositIndex: r.index,
  participant: r.participant,
  token: r.token,
  amount: r.amount,
})
export const withdraw = (token: number, amount: bigint): Op => ({ tag: OpTag.Withdraw, token, amount })
export const transfer = (to: number, token: number, amount: bigint): Op => ({
  tag: OpTag.Transfer,
  to,
  token,
  amount,
})
export const lock = (token: number, amount: bigint, until: bigint): Op => ({
  tag: OpTag.Lock,
  token,
  amount,
  until,
  reason: 1,
})
export const unlock = (lockSeq: bigint, lockIndex = 0): Op => ({ tag: OpTag.Unlock, lockSeq, lockIndex })

/** Every reason `expectReject` saw in this test file (the invalid-ops suite checks it saw them all). */
export const rejectsSeen = new Set<number>()
/** Applies an op that must be rejected with `reason` and leave no trace in the state root. */
export function expectReject(h: Harness, author: number, op: Op, reason: Reject): void {
  const before = toHex(stateRoot(h.state))
  const trades = h.state.trades.length
  expect(h.apply(author, op)).toBe(reason)
  expect(toHex(stateRoot(h.state))).toBe(before)
  expect(h.state.trades.length).toBe(trades)
  rejectsSeen.add(reason)
}
