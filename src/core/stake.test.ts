import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { Replica } from './replica.ts'
import { stateRoot } from './roots.ts'
import { decodeState, encodeState } from './snapshot/stateCodec.ts'
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

  it('refuses trading ops until q participants attested the bond of every participant, then accepts them', () => {
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
    // P1 is bonded, but the channel is not live while P0 and P2 are not
    expect(s.stake.staked(1)).toBe(true)
    expect(s.apply(bid, ctx(1))).toBe(Reject.ChannelNotLive)
    expect(s.apply(bid, ctx(2))).toBe(Reject.BondBelowMinStake)
    expect(s.apply({ tag: OpTag.StakeAttest, participant: 7 }, ctx(0))).toBe(Reject.UnknownParticipant)
  })

  it('the channel goes live only when every participant is bonded: P0 and P1 attested, P2 not, nobody trades', () => {
    const s = new ChannelState(staked.channel, [])
    s.creditGenesis(deposits)
    for (const p of [0, 1])
      for (const a of [0, 1, 2]) s.apply({ tag: OpTag.StakeAttest, participant: p }, ctx(a))
    expect(s.stake.waitingFor()).toEqual([2])
    expect(s.stake.live()).toBe(false)
    expect(s.apply(bid, ctx(0))).toBe(Reject.ChannelNotLive)
    expect(s.apply({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, ctx(0))).toBe(Reject.ChannelNotLive)
    expect(s.apply(bid, ctx(2))).toBe(Reject.BondBelowMinStake)
    // nobody's money is stuck meanwhile: withdrawals and attestations go through for bonded and unbonded alike
    expect(s.apply({ tag: OpTag.Withdraw, token: 0, amount: 1n }, ctx(0))).toBe(Reject.None)
    expect(s.apply({ tag: OpTag.Withdraw, token: 0, amount: 1n }, ctx(2))).toBe(Reject.None)
    // two of the three attesters for P2 are not enough (q = 3)
    s.apply({ tag: OpTag.StakeAttest, participant: 2 }, ctx(0))
    s.apply({ tag: OpTag.StakeAttest, participant: 2 }, ctx(1))
    expect(s.apply(bid, ctx(0))).toBe(Reject.ChannelNotLive)
    // a state restored from its snapshot waits for the same participant and decides the same
    const restored = decodeState(staked.channel, encodeState(s))
    expect(restored.stake.waitingFor()).toEqual([2])
    expect(restored.apply(bid, ctx(1))).toBe(Reject.ChannelNotLive)
    expect(toHex(stateRoot(restored))).toBe(toHex(stateRoot(s)))
    for (const st of [s, restored]) {
      expect(st.apply({ tag: OpTag.StakeAttest, participant: 2 }, ctx(2))).toBe(Reject.None)
      expect(st.stake.live()).toBe(true)
      expect(st.stake.waitingFor()).toEqual([])
      expect(st.apply({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, ctx(0))).toBe(Reject.None)
      expect(st.apply(bid, ctx(2))).toBe(Reject.None)
    }
    expect(toHex(stateRoot(restored))).toBe(toHex(stateRoot(s)))
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
    // P1 is bonded everywhere, P0 and P2 are not: the channel is not live yet
    expect(reps[1]!.submit(bid).result).toBe(Reject.ChannelNotLive)
    for (const r of reps) {
      expect(r.finalState().stake.staked(1)).toBe(true)
      expect(r.finalState().stake.waitingFor()).toEqual([0, 2])
    }
    for (const r of reps) for (const p of [0, 2]) r.submit({ tag: OpTag.StakeAttest, participant: p })
    runToQuiet(reps)
    expect(reps[1]!.submit(bid).result).toBe(Reject.None)
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.finalState().stake.live()).toBe(true)
      expect([...r.finalState().books[0]!.orders()].length).toBe(1)
    }
    expect(new Set(reps.map((r) => toHex(r.stateRoot()))).size).toBe(1)
  })
})
