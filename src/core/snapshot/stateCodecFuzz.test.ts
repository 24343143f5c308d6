/**
 * Audit (Byzantine snapshot bases): a state snapshot from anywhere — a peer's catch-up, a damaged IndexedDB — is
 * restored only through restoreAtCheckpoint. Fuzzed with a fixed seed over random states of every module: any
 * mutation of a genuine snapshot (bytes flipped, length prefixes inflated, truncated, padded, spliced from another
 * state) is refused with SnapshotDecodeError or SnapshotMismatchError — never accepted as the checkpoint's state, never
 * another exception (a RangeError or TypeError would escape the callers' handling), and within bounded time.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesEqual } from '../bytes.ts'
import type { Checkpoint } from '../checkpoint.ts'
import { checkpointStateRoot } from '../finalWindow.ts'
import { balancesTree, stateRoot } from '../roots.ts'
import { Rng } from '../sim/rng.ts'
import { ChannelState } from '../state.ts'
import { everyModuleChannel, randomState } from './randomStates.ts'
import { encodeState, restoreAtCheckpoint, SnapshotDecodeError, SnapshotMismatchError } from './stateCodec.ts'

const { channel } = everyModuleChannel(4, 'snapshot-fuzz')
/** a final window root (finalWindow.ts) the checkpoints below hash in beside the state's */
const WINDOW = new Uint8Array(32).fill(7)

/** The checkpoint fields restoreAtCheckpoint checks, as signers would have them for `s` at `version`. */
function checkpointOf(s: ChannelState, version: bigint): Checkpoint {
  return {
    version,
    leader: new Uint8Array(32),
    time: 0n,
    depositCount: s.depositCount,
    forcedCount: s.forcedCount,
    stateRoot: checkpointStateRoot(stateRoot(s), WINDOW),
    balancesRoot: balancesTree(s, version).root,
  }
}

const states = [11, 12, 13].map((seed, i) => randomState(channel, new Rng(seed), 150 + 100 * i))
const snapshots = states.map(encodeState)
const checkpoints = states.map((s) => checkpointOf(s, 3n))

type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'set4'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'splice'; at: number; from: number }

function mutate(bytes: Uint8Array, m: Mutation, other: Uint8Array): Uint8Array {
  const at = m.at % bytes.length
  const out = bytes.slice()
  switch (m.kind) {
    case 'flip':
      out[at] = out[at]! ^ m.xor
      return out
    case 'set4': // a length prefix or count made huge (or zero)
      for (let k = 0; k < 4 && at + k < out.length; k++) out[at + k] = (m.value >>> (8 * (3 - k))) & 0xff
      return out
    case 'truncate':
      return out.subarray(0, at)
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at), m.byte, ...bytes.subarray(at)])
    case 'splice': // the tail of another genuine state from the same offset
      return Uint8Array.from([...bytes.subarray(0, at), ...other.subarray(m.from % other.length)])
  }
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant('set4' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0xffffffff),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat() }),
)

/** The genuine state `which` decoded, changed by `edit`, encoded again: bytes the encoder itself would write. */
function edited(which: number, edit: (s: ChannelState) => void): Uint8Array {
  const s = restoreAtCheckpoint(channel, snapshots[which]!, checkpoints[which]!, WINDOW)
  edit(s)
  return encodeState(s)
}

describe('state snapshot codec under Byzantine bytes (audit)', () => {
  // market 0 is spot, market 1 a perp (everyModuleChannel)
  it('refuses a price, a last trade or a funding history on a spot market (the root covers perp markets only)', () => {
    for (const edit of [
      (s: ChannelState) => {
        s.perps!.oracle[0] = 12_345n
      },
      (s: ChannelState) => {
        s.perps!.lastTrade[0] = 7n
      },
      (s: ChannelState) => {
        s.perps!.fundingHistory[0] = s.perps!.fundingHistory[1]!.length
          ? s.perps!.fundingHistory[1]!
          : [{ epoch: 1n, intervals: 1n, rate: 1n, cum: 1n, mark: 1n, index: 1n, openInterest: 0n, paid: 0n }]
      },
    ])
      expect(() => restoreAtCheckpoint(channel, edited(0, edit), checkpoints[0]!, WINDOW)).toThrow(
        SnapshotDecodeError,
      )
  })

  it('refuses a resting order or a lock whose owner is not the author in its key (a fill or an unlock pays the owner)', () => {
    const which = states.findIndex((st) => st.books.some((b) => b.byKey.size > 0) && st.locks.size > 0)
    expect(which).toBeGreaterThanOrEqual(0)
    const other = (p: number) => (p + 1) % states[which]!.P
    const order = edited(which, (s) => {
      const o = s.books.flatMap((b) => [...b.orders()])[0]!
      o.owner = other(o.owner)
    })
    expect(() => restoreAtCheckpoint(channel, order, checkpoints[which]!, WINDOW)).toThrow(
      SnapshotDecodeError,
    )
    const lock = edited(which, (s) => {
      const l = [...s.locks.values()][0]!
      l.owner = other(l.owner)
    })
    expect(() => restoreAtCheckpoint(channel, lock, checkpoints[which]!, WINDOW)).toThrow(SnapshotDecodeError)
  })

  it("refuses open order counts that are not the books' (TooManyOrders reads them)", () => {
    const forged = edited(0, (s) => {
      s.openOrders[0] = s.openOrders[0]! + 1
    })
    expect(() => restoreAtCheckpoint(channel, forged, checkpoints[0]!, WINDOW)).toThrow(SnapshotDecodeError)
  })

  it('refuses a zero price or last trade on a perp market: the root writes "none" as 0, so it cannot tell them apart', () => {
    const fresh = new ChannelState(channel)
    const cp = checkpointOf(fresh, 1n)
    expect(fresh.perps!.oracle[1]).toBeUndefined()
    for (const edit of [
      (s: ChannelState) => {
        s.perps!.oracle[1] = 0n
      },
      (s: ChannelState) => {
        s.perps!.lastTrade[1] = 0n
      },
    ]) {
      const forged = new ChannelState(channel)
      edit(forged)
      // the same state root: only the decoder can refuse it
      expect(bytesEqual(checkpointStateRoot(stateRoot(forged), WINDOW), cp.stateRoot)).toBe(true)
      expect(() => restoreAtCheckpoint(channel, encodeState(forged), cp, WINDOW)).toThrow(SnapshotDecodeError)
    }
  })

  it('the genuine snapshots restore at their checkpoints (the fuzz below starts from accepted bytes)', () => {
    snapshots.forEach((bytes, i) => {
      expect(
        bytesEqual(encodeState(restoreAtCheckpoint(channel, bytes, checkpoints[i]!, WINDOW)), bytes),
      ).toBe(true)
    })
  })

  it('every mutation is refused with a snapshot error, never another exception, in bounded time', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, ms) => {
        let bytes: Uint8Array = snapshots[which]!
        for (const m of ms) bytes = mutate(bytes, m, snapshots[(which + 1) % 3]!)
        if (bytes.length === 0) bytes = new Uint8Array(1)
        const started = performance.now()
        let error: unknown
        try {
          restoreAtCheckpoint(channel, bytes, checkpoints[which]!, WINDOW)
        } catch (e) {
          error = e
        }
        const elapsed = performance.now() - started
        if (error === undefined) {
          // accepted: only the genuine state may be (the root covers every field, the funding history and the
          // placement counters included)
          expect(bytesEqual(bytes, snapshots[which]!)).toBe(true)
        } else {
          if (!(error instanceof SnapshotDecodeError || error instanceof SnapshotMismatchError)) throw error
        }
        expect(elapsed).toBeLessThan(2_000)
      }),
      { seed: 20261201, numRuns: 3000 },
    )
  })
})
