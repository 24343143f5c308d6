import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { Replica } from './replica.ts'
import { ChannelState } from './state.ts'
import { makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const deposits = testDeposits(3, 2, 1_000_000n)
const bid: Op = {
  tag: OpTag.Place,
  market: 0,
  side: Side.Buy,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  price: 10n,
  qty: 1n,
}
const ctx = (author: number) => ({ author, seq: 1n, index: 0, height: 1, block: '', time: 0n })

describe('minStake (issue #12)', () => {
  const staked = makeTestChannel({ participants: 3, label: 'stake', minStake: 10n ** 17n })

  it('refuses trading ops until q participants attested the bond, then accepts them', () => {
    const s = new ChannelState(staked.channel, [])
    s.creditGenesis(deposits)
    expect(s.apply(bid, ctx(1))).toBe(Reject.BondBelowMinStake)
    expect(s.apply({ tag: OpTag.Transfer, to: 0, token: 0, amount: 1n }, ctx(1))).toBe(
      Reject.BondBelowMinStake,
    )
    // taking money out stays open
    expect(s.apply({ tag: OpTag.Withdraw, token: 0, amount: 1n }, ctx(1))).toBe(Reject.None)
    expect(s.apply({ tag: OpTag.StakeAttest, participant: 1 }, ctx(0))).toBe(Reject.None)
    expect(s.apply({ tag: OpTag.StakeAttest, participant: 1 }, ctx(0))).toBe(Reject.StakeAlreadyAttested)
    expect(s.apply(bid, ctx(1))).toBe(Reject.BondBelowMinStake)
    // q = 3 of 3: one attester short is not enough, whoever it is
    expect(s.apply({ tag: OpTag.StakeAttest, participant: 1 }, ctx(1))).toBe(Reject.None)
    expect(s.apply(bid, ctx(1))).toBe(Reject.BondBelowMinStake)
    expect(s.apply({ tag: OpTag.StakeAttest, participant: 1 }, ctx(2))).toBe(Reject.None)
    expect(s.apply(bid, ctx(1))).toBe(Reject.None)
    // the others are still refused
    expect(s.apply(bid, ctx(2))).toBe(Reject.BondBelowMinStake)
    expect(s.apply({ tag: OpTag.StakeAttest, participant: 7 }, ctx(0))).toBe(Reject.UnknownParticipant)
  })

  it('a channel with minStake 0 trades as before, and its state root does not change', () => {
    const free = makeTestChannel({ participants: 3, label: 'stake' })
    const s = new ChannelState(free.channel, [])
    s.creditGenesis(deposits)
    const root = toHex(new Replica(free.channel, { ignoreForcedQueue: true, deposits }).stateRoot())
    expect(s.apply(bid, ctx(1))).toBe(Reject.None)
    expect(s.apply({ tag: OpTag.StakeAttest, participant: 1 }, ctx(0))).toBe(Reject.None)
    expect(toHex(new Replica(free.channel, { ignoreForcedQueue: true, deposits }).stateRoot())).toBe(root)
  })

  it('replicas agree: attestations travel in blocks and the order becomes accepted everywhere', () => {
    const reps = staked.members.map(
      (m) =>
        new Replica(staked.channel, {
          ignoreForcedQueue: true,
          author: { index: m.index, sessionKey: m.sessionKey },
          deposits,
          leaderWaitMs: 0,
        }),
    )
    expect(reps[1]!.submit(bid).result).toBe(Reject.BondBelowMinStake)
    for (const r of reps) r.submit({ tag: OpTag.StakeAttest, participant: 1 })
    runToQuiet(reps)
    expect(reps[1]!.submit(bid).result).toBe(Reject.None)
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.finalState().stake.staked(1)).toBe(true)
      expect(r.finalState().stake.staked(0)).toBe(false)
      expect([...r.finalState().books[0]!.orders()].length).toBe(1)
    }
    expect(new Set(reps.map((r) => toHex(r.stateRoot()))).size).toBe(1)
  })
})
