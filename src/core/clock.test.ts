import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { toHex } from './bytes.ts'
import { leaderTime } from './channelClock.ts'
import { type Op, OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { stateRoot } from './roots.ts'
import { ChannelState, type OpContext } from './state.ts'
import { DagBuilder, makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

/**
 * The channel clock inside the fold (issue #9): every op sees `ctx.time`, a function of the final order only. A
 * final block carries the clock of the leader that committed it; a pending block the clock of the last committed
 * leader; a block applied with one clock epoch and committed with another is replayed.
 */
const tc = makeTestChannel({ participants: 4, label: 'clock' })
const deposits = testDeposits(4, 2, 1_000_000n)
const transfer = (to: number): Op => ({ tag: OpTag.Transfer, to, token: 0, amount: 1n })

/** Records, per block id, the time of the block's latest application (ctx.block is the block's hex id). */
function recordTimes(readsTime: boolean) {
  const seen = new Map<string, bigint>()
  const apply = ChannelState.prototype.apply
  vi.spyOn(ChannelState.prototype, 'apply').mockImplementation(function (
    this: ChannelState,
    op: Op,
    ctx: OpContext,
  ) {
    seen.set(ctx.block, ctx.time)
    if (!readsTime) return apply.call(this, op, ctx)
    // an op whose outcome depends on the exact time (every ms its own epoch): transfers move 1 + time mod 7
    this.timeRead = ctx.time
    const timed = op.tag === OpTag.Transfer ? { ...op, amount: 1n + (ctx.time % 7n) } : op
    return apply.call(this, timed, ctx)
  })
  if (readsTime) vi.spyOn(ChannelState.prototype, 'timeKey').mockImplementation((t: bigint) => t)
  return seen
}

/** Rounds 1 … R by all four authors, every block citing all of the previous round, times from `timeOf`. */
function history(R: number, timeOf: (round: number, author: number) => bigint): Uint8Array[] {
  const g = new DagBuilder(tc)
  const out: Uint8Array[] = []
  for (let r = 1; r <= R; r++)
    for (let a = 0; a < 4; a++) {
      const refs = r === 1 ? [] : [0, 1, 2, 3]
      out.push(g.block(a, r, refs, [transfer((a + 1) % 4)], [], timeOf(r, a)).bytes)
    }
  return out
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('channel clock in OpContext', () => {
  it('a final block gets the time of the leader that committed it; a pending one the last committed clock', () => {
    const seen = recordTimes(false)
    const rep = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    rep.receiveMany(history(7, (r, a) => BigInt(r * 1000 + a * 7)))
    expect(rep.finalCount).toBeGreaterThan(0)
    expect(rep.finalCount).toBeLessThan(rep.order.length)
    // every final block's time is the time of the first committed leader (in commit order) whose history holds it
    let prev = 0n
    let k = 0
    for (const leader of rep.leaders) {
      const t = leaderTime(leader, prev)
      while (k <= leader.commitIndex) {
        const x = rep.order[k]!
        expect(rep.timeOf(x)).toBe(t)
        expect(seen.get(x.hex)).toBe(t)
        k++
      }
      prev = t
    }
    expect(k).toBe(rep.finalCount)
    expect(rep.clock).toBe(prev)
    for (let i = rep.finalCount; i < rep.order.length; i++) {
      expect(rep.timeOf(rep.order[i]!)).toBe(rep.clock)
      expect(seen.get(rep.order[i]!.hex)).toBe(rep.clock)
    }
  })

  it('the clock is the lower median of the cited round’s times: one liar cannot move it', () => {
    const honest = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    honest.receiveMany(history(6, (r) => BigInt(r * 1000)))
    const lying = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    // author 3 claims a time far in the future in every round
    lying.receiveMany(history(6, (r, a) => (a === 3 ? 10n ** 15n : BigInt(r * 1000))))
    expect(lying.finalCount).toBe(honest.finalCount)
    expect(lying.clock).toBe(honest.clock)
    for (let i = 0; i < honest.finalCount; i++)
      expect(lying.timeOf(lying.order[i]!)).toBe(honest.timeOf(honest.order[i]!))
  })

  it('a block applied as pending with another clock epoch is replayed when it commits', () => {
    // every ms its own epoch: any difference between the pending and the final time forces a replay
    const seen = recordTimes(true)
    const reps = [0, 1, 2, 3].map(
      (i) =>
        new Replica(tc.channel, {
          ignoreForcedQueue: true,
          author: { index: i, sessionKey: tc.members[i]!.sessionKey },
          deposits,
          leaderWaitMs: 0,
        }),
    )
    for (let step = 0; step < 6; step++) {
      for (const [i, r] of reps.entries()) r.submit(transfer((i + 1) % 4))
      runToQuiet(reps, step * 100)
    }
    // a fresh replica fed every block at once applies each block with its final time only
    const fresh = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    fresh.receiveMany(reps[0]!.blocksInOrder())
    const want = toHex(stateRoot(fresh.finalState()))
    expect(fresh.finalCount).toBeGreaterThan(12)
    for (const r of reps) {
      // every block with ops is final once the channel is quiet (empty tips may stay pending)
      for (const x of r.order.slice(r.finalCount)) expect(x.block.ops.length).toBe(0)
      expect(r.finalIds()).toEqual(fresh.finalIds())
      expect(toHex(stateRoot(r.finalState()))).toBe(want)
      expect(toHex(stateRoot(r.state))).toBe(want)
    }
    expect(seen.size).toBeGreaterThan(0)
  })

  it('final times do not depend on delivery order', () => {
    const blocks = history(8, (r, a) => BigInt(r * 1000 + ((a * 37 + r * 11) % 50)))
    const ref = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    ref.receiveMany(blocks)
    const want = ref.order.slice(0, ref.finalCount).map((x) => [x.hex, ref.timeOf(x)])
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: blocks.length, maxLength: blocks.length }), (keys) => {
        const order = blocks
          .map((b, i) => [keys[i]!, i, b] as const)
          .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        const r = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
        for (const [, , b] of order) r.receive(b)
        expect(r.order.slice(0, r.finalCount).map((x) => [x.hex, r.timeOf(x)])).toEqual(want)
      }),
      { numRuns: 15 },
    )
  })
})
