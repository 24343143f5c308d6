import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesEqual, toHex } from '../bytes.ts'
import { checkpointStateRoot } from '../finalWindow.ts'
import { OpTag } from '../ops.ts'
import { BatchFullError, Replica } from '../replica.ts'
import { stateRoot } from '../roots.ts'
import { Rng } from '../sim/rng.ts'
import { ChannelState } from '../state.ts'
import { makeTestChannel, runToQuiet } from '../testing.ts'
import {
  applyRandomOps,
  everyModuleChannel,
  randomAnyOp,
  randomGenesis,
  randomState,
} from './randomStates.ts'
import {
  decodeState,
  encodeState,
  restoreAtCheckpoint,
  SnapshotDecodeError,
  SnapshotMismatchError,
} from './stateCodec.ts'

const P = 5
const { channel, members } = everyModuleChannel(P)

/** Everything a user or a later op can observe of a state, as strings (bigint-safe). */
function observe(s: ChannelState): string {
  const holdings = Array.from({ length: s.P * s.T }, (_, i) => s.holdings(Math.floor(i / s.T), i % s.T))
  return JSON.stringify(
    {
      root: toHex(stateRoot(s)),
      holdings,
      placed: s.placed,
      trades: s.tradeCount,
      orders: s.books.map((b) => [...b.orders()].map((o) => `${o.key}:${o.placedAt}:${o.reserved}`)),
      funding: s.perps?.funding,
      history: s.perps?.fundingHistory,
      pools: s.amm?.pools.map((p) => p && [p.feeBps, p.tierWeight]),
    },
    (_, v) => (typeof v === 'bigint' ? v.toString() : v),
  )
}

describe('state snapshot codec', () => {
  it('random states of every module round-trip: same bytes, same root, and the same future under the same ops', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 0, max: 500 }), (seed, count) => {
        const rng = new Rng(seed)
        const s = new ChannelState(channel)
        s.creditGenesis(randomGenesis(P))
        const at = applyRandomOps(s, rng, count)
        const bytes = encodeState(s)
        const back = decodeState(channel, bytes)
        expect(bytesEqual(encodeState(back), bytes)).toBe(true)
        expect(toHex(stateRoot(back))).toBe(toHex(stateRoot(s)))
        expect(observe(back)).toBe(observe(s))
        // the restored state continues exactly like the original: every field the fold reads later was kept
        const ahead = new Rng(seed ^ 0x5a5a)
        const again = new Rng(seed ^ 0x5a5a)
        applyRandomOps(s, ahead, 150, at.step)
        applyRandomOps(back, again, 150, at.step)
        expect(observe(back)).toBe(observe(s))
        expect(bytesEqual(encodeState(back), encodeState(s))).toBe(true)
      }),
      { numRuns: 40 },
    )
  })

  it('the random stream reaches every module, so the round trip above covers them', () => {
    const s = randomState(channel, new Rng(7), 1500)
    expect(s.depositCount).toBeGreaterThan(0n)
    expect(s.attestations.size).toBeGreaterThan(0)
    expect(s.forcedCount).toBeGreaterThan(0n)
    expect(s.stake.entries().filter((e) => e === null).length).toBeGreaterThan(0)
    expect(s.locks.size).toBeGreaterThan(0)
    expect(s.books[0]!.byKey.size + s.books[1]!.byKey.size).toBeGreaterThan(0)
    expect(s.perps!.positions.some((p) => p && p.size !== 0n)).toBe(true)
    expect(s.perps!.fundingHistory[1]!.length).toBeGreaterThan(0)
    expect(s.amm!.pools[0]!.totalShares).toBeGreaterThan(0n)
    expect(s.lending!.shares.some((x) => x > 0n)).toBe(true)
    expect(s.lending!.scaled.some((x) => x > 0n)).toBe(true)
    expect(s.tradeCount).toBeGreaterThan(0)
  })

  it('refuses bytes that are not the canonical snapshot of a state of this channel', () => {
    const s = randomState(channel, new Rng(3), 400)
    const bytes = encodeState(s)
    expect(() => decodeState(channel, bytes.subarray(0, bytes.length - 1))).toThrow(SnapshotDecodeError)
    expect(() => decodeState(channel, new Uint8Array([...bytes, 0]))).toThrow(SnapshotDecodeError)
    const other = makeTestChannel({ participants: P, label: 'other' }).channel
    expect(() => decodeState(other, bytes)).toThrow(/another channel/)
    const spotOnly = { ...channel, config: { ...channel.config, params: { ...channel.config.params } } }
    delete (spotOnly.config.params as { amm?: unknown }).amm
    expect(() => decodeState(spotOnly, bytes)).toThrow(SnapshotDecodeError)
    // an AMM vote without shares (the last pool byte: the last participant's vote) is no state the fold makes
    const s2 = new ChannelState(channel)
    const b2 = encodeState(s2)
    const ammAt = b2.length - encodeLendingLength(s2) - 1
    const bad = b2.slice()
    bad[ammAt] = 2
    expect(() => decodeState(channel, bad)).toThrow(/vote/)
  })

  it('a snapshot is restored only if it is the state the checkpoint signs, checked against a fresh full replay', () => {
    const deposits = randomGenesis(P)
    const reps = members.map(
      (m) =>
        new Replica(channel, {
          ignoreForcedQueue: true,
          author: { index: m.index, sessionKey: m.sessionKey },
          deposits,
          leaderWaitMs: 0,
          maxBatchOps: 64,
          checkpointIntervalMs: 3000,
        }),
    )
    const rng = new Rng(11)
    let now = 0
    for (let i = 0; i < 240; i++) {
      const a = rng.int(0, P)
      try {
        reps[a]!.submit(randomAnyOp(rng, a, P, i, BigInt(now), reps[a]!.state), now)
      } catch (e) {
        if (!(e instanceof BatchFullError)) throw e
      }
      if (i % 40 === 39) {
        now += 1000
        runToQuiet(reps, now)
      }
    }
    reps[0]!.submit({ tag: OpTag.CheckpointRequest })
    now += 1000
    runToQuiet(reps, now)
    const cp = reps[1]!.latestCertified()!
    expect(cp).toBeDefined()
    const bytes = encodeState(reps[1]!.stateOfCheckpoint(cp.version))
    const restored = restoreAtCheckpoint(channel, bytes, cp, cp.windowRoot!)
    // a fresh replica fed every block at once computes the same state at that checkpoint
    const fresh = new Replica(channel, { ignoreForcedQueue: true, deposits, checkpointIntervalMs: 3000 })
    fresh.receiveMany(reps[3]!.blocksInOrder())
    const replayed = fresh.stateOfCheckpoint(cp.version)
    expect(toHex(checkpointStateRoot(stateRoot(replayed), cp.windowRoot!))).toBe(toHex(cp.stateRoot))
    expect(toHex(fresh.checkpoint(cp.version)!.stateRoot)).toBe(toHex(cp.stateRoot))
    expect(observe(restored)).toBe(observe(replayed))
    // the state of an earlier moment is refused against this checkpoint
    expect(cp.version).toBeGreaterThan(1n)
    const stale = encodeState(reps[1]!.stateOfCheckpoint(1n))
    expect(toHex(reps[1]!.checkpoint(1n)!.stateRoot)).not.toBe(toHex(cp.stateRoot))
    expect(() => restoreAtCheckpoint(channel, stale, cp, cp.windowRoot!)).toThrow(SnapshotMismatchError)
    const before = new ChannelState(channel)
    before.creditGenesis(deposits)
    expect(() => restoreAtCheckpoint(channel, encodeState(before), cp, cp.windowRoot!)).toThrow(
      SnapshotMismatchError,
    )
  })
})

/** Bytes the lending part of a snapshot takes (it follows the AMM part). */
function encodeLendingLength(s: ChannelState): number {
  const ls = s.lending!
  return ls.lendable.length * (6 * 32 + 8) + ls.shares.length * 64 + ls.M * 16
}
