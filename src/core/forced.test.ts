import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FORCED_WINDOW } from './attestations.ts'
import { toHex } from './bytes.ts'
import { Role } from './channel.ts'
import { decodeForcedOp, decodeOps, encodeOp, encodeOps, OpDecodeError } from './opCodec.ts'
import {
  type ForcedAttestOp,
  MAX_FORCED_OP_BYTES,
  type Op,
  OpTag,
  OrderKind,
  Side,
  TimeInForce,
} from './ops.ts'
import { Reject } from './reasons.ts'
import type { ReplicaOptions } from './replica.ts'
import { stateRoot } from './roots.ts'
import { Rng } from './sim/rng.ts'
import { ChannelState, type OpContext } from './state.ts'
import { authoringReplicas, makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const AMOUNT = 1_000n
const tc = makeTestChannel({ participants: 4, label: 'forced' })
const deposits = testDeposits(4, 2, AMOUNT)
const transfer = (to: number, amount: bigint, token = 0): Op => ({ tag: OpTag.Transfer, to, token, amount })
const forced = (forcedIndex: bigint, participant: number, op: Op | Uint8Array): ForcedAttestOp => ({
  tag: OpTag.ForcedAttest,
  forcedIndex,
  participant,
  op: op instanceof Uint8Array ? op : encodeOp(op),
})

function funded(channel = tc.channel): ChannelState {
  const s = new ChannelState(channel)
  s.creditGenesis(testDeposits(channel.config.participants.length, 2, AMOUNT))
  return s
}
let seq = 0n
const ctx = (author: number): OpContext => ({ author, seq: ++seq, index: 0, height: 1, block: 'b', time: 0n })

describe('ForcedAttest codec', () => {
  it('round-trips and re-encodes byte for byte, between fixed-size ops', () => {
    const ops: Op[] = [transfer(1, 5n), forced(7n, 2, transfer(0, 42n)), { tag: OpTag.CheckpointRequest }]
    const bytes = encodeOps(ops)
    const back = decodeOps(bytes)
    expect(back).toEqual(ops)
    expect(toHex(encodeOps(back))).toBe(toHex(bytes))
  })

  it('carries any 1…256 bytes (the contract does not interpret them) and refuses other lengths', () => {
    for (const n of [1, MAX_FORCED_OP_BYTES]) {
      const op = forced(0n, 0, new Uint8Array(n).fill(0xee))
      expect(decodeOps(encodeOps([op]))).toEqual([op])
    }
    for (const n of [0, MAX_FORCED_OP_BYTES + 1])
      expect(() => encodeOps([forced(0n, 0, new Uint8Array(n))])).toThrow(RangeError)
  })

  it('rejects truncated, over-long and trailing input', () => {
    const bytes = encodeOps([forced(1n, 1, transfer(0, 1n))])
    expect(() => decodeOps(bytes.subarray(0, bytes.length - 1))).toThrow(OpDecodeError)
    expect(() => decodeOps(bytes.subarray(0, 2 + 1 + 11))).toThrow(OpDecodeError)
    const long = new Uint8Array(bytes.length + 1)
    long.set(bytes)
    expect(() => decodeOps(long)).toThrow(OpDecodeError)
    const zero = bytes.slice()
    zero[2 + 1 + 10] = 0
    zero[2 + 1 + 11] = 0
    expect(() => decodeOps(zero.subarray(0, 2 + 1 + 12))).toThrow(OpDecodeError)
  })

  it('the forced op decodes canonically: one op, no trailing bytes, no ForcedAttest or checkpoint op', () => {
    const t = transfer(3, 9n)
    expect(decodeForcedOp(encodeOp(t))).toEqual(t)
    const trailing = new Uint8Array([...encodeOp(t), 0])
    expect(() => decodeForcedOp(trailing)).toThrow(OpDecodeError)
    expect(() => decodeForcedOp(new Uint8Array([0x7f]))).toThrow(OpDecodeError)
    expect(() => decodeForcedOp(encodeOp(forced(0n, 0, t)))).toThrow(/cannot be forced/)
    expect(() => decodeForcedOp(encodeOp({ tag: OpTag.CheckpointRequest }))).toThrow(/cannot be forced/)
    const two = encodeOps([t, t]).subarray(2)
    expect(() => decodeForcedOp(two)).toThrow(OpDecodeError)
  })
})

describe('forced records in the fold', () => {
  it('includes a record at the q-th identical attestation and applies its op once, as its participant', () => {
    const s = funded()
    expect(s.quorum).toBe(3)
    const rec = forced(0n, 2, transfer(0, 42n))
    expect(s.apply(rec, ctx(0))).toBe(Reject.None)
    expect(s.apply(rec, ctx(1))).toBe(Reject.None)
    expect(s.forcedCount).toBe(0n)
    expect(s.holdings(0, 0)).toBe(AMOUNT)
    expect(s.apply(rec, ctx(3))).toBe(Reject.None)
    expect(s.forcedCount).toBe(1n)
    expect(s.holdings(2, 0)).toBe(AMOUNT - 42n)
    expect(s.holdings(0, 0)).toBe(AMOUNT + 42n)
    // later attestations change nothing: executed exactly once
    expect(s.apply(rec, ctx(2))).toBe(Reject.ForcedAlreadyIncluded)
    expect(s.holdings(2, 0)).toBe(AMOUNT - 42n)
    expect(s.forcedAttestations.size).toBe(0)
  })

  it('a made-up record (fewer than q) never executes, and different contents do not add up', () => {
    const s = funded()
    s.apply(forced(0n, 2, transfer(0, 42n)), ctx(3))
    s.apply(forced(0n, 2, transfer(0, 43n)), ctx(0))
    s.apply(forced(0n, 1, transfer(0, 42n)), ctx(1))
    expect(s.forcedCount).toBe(0n)
    expect(s.holdings(0, 0)).toBe(AMOUNT)
    expect(s.forcedAttestations.get(0n)).toHaveLength(3)
    // one attester, one content: participants 1 and 3 cannot add to another content of the same record
    expect(s.apply(forced(0n, 2, transfer(0, 43n)), ctx(2))).toBe(Reject.None)
    expect(s.apply(forced(0n, 2, transfer(0, 43n)), ctx(1))).toBe(Reject.ForcedAlreadyAttested)
    expect(s.apply(forced(0n, 2, transfer(0, 43n)), ctx(3))).toBe(Reject.ForcedAlreadyAttested)
    expect(s.forcedCount).toBe(0n)
    expect(s.holdings(0, 0)).toBe(AMOUNT)
  })

  it('includes strictly in index order: record 1 waits for record 0', () => {
    const s = funded()
    for (const a of [0, 1, 2]) s.apply(forced(1n, 1, transfer(0, 5n)), ctx(a))
    expect(s.forcedCount).toBe(0n)
    expect(s.holdings(1, 0)).toBe(AMOUNT)
    for (const a of [0, 1, 2]) s.apply(forced(0n, 2, transfer(0, 7n)), ctx(a))
    expect(s.forcedCount).toBe(2n)
    expect(s.holdings(0, 0)).toBe(AMOUNT + 12n)
  })

  it('a record whose bytes are no valid forced op is included with no effect: the queue never stalls', () => {
    const s = funded()
    const before = toHex(stateRoot(s))
    for (const a of [0, 1, 2]) s.apply(forced(0n, 2, new Uint8Array([0x7f, 1, 2])), ctx(a))
    for (const a of [0, 1, 2]) s.apply(forced(1n, 2, encodeOp({ tag: OpTag.CheckpointRequest })), ctx(a))
    expect(s.forcedCount).toBe(2n)
    expect(toHex(stateRoot(s))).not.toBe(before) // forcedCount is in the root
    for (const a of [0, 1, 2]) s.apply(forced(2n, 2, transfer(1, 1n)), ctx(a))
    expect(s.holdings(1, 0)).toBe(AMOUNT + 1n)
  })

  it('applies the same permission checks as for the participant itself (an observer cannot trade)', () => {
    const obs = makeTestChannel({ participants: 4, label: 'forced-roles', roles: [0, 0, Role.Observer, 0] })
    const s = funded(obs.channel)
    for (const a of [0, 1, 3]) s.apply(forced(0n, 2, transfer(0, 1n)), ctx(a))
    expect(s.forcedCount).toBe(1n)
    expect(s.holdings(2, 0)).toBe(AMOUNT)
  })

  it('names what it creates participant:0:index, so the participant can cancel its forced order by (0, index)', () => {
    const s = funded()
    const bid: Op = {
      tag: OpTag.Place,
      market: 0,
      side: Side.Buy,
      kind: OrderKind.Limit,
      tif: TimeInForce.GTC,
      price: 1n,
      qty: 1n,
    }
    for (const a of [0, 1, 2]) s.apply(forced(0n, 3, bid), ctx(a))
    const orders = [...s.books[0]!.orders()]
    expect(orders.map((o) => o.key)).toEqual(['3:0:0'])
    expect(s.apply({ tag: OpTag.Cancel, orderSeq: 0n, orderIndex: 0 }, ctx(3))).toBe(Reject.None)
    expect([...s.books[0]!.orders()]).toHaveLength(0)
  })

  it('refuses unknown participants and records too far ahead', () => {
    const s = funded()
    expect(s.apply(forced(0n, 9, transfer(0, 1n)), ctx(0))).toBe(Reject.UnknownParticipant)
    expect(s.apply(forced(FORCED_WINDOW, 1, transfer(0, 1n)), ctx(0))).toBe(Reject.UnknownForced)
  })

  it('roots of channels that never saw a forced record are unchanged by the feature', () => {
    const s = funded()
    const root = toHex(stateRoot(s))
    s.apply(transfer(1, 1n), ctx(0))
    expect(s.forcedAttestations.size).toBe(0)
    expect(toHex(stateRoot(s))).not.toBe(root)
    const t = s.clone()
    t.apply(forced(0n, 1, transfer(0, 1n)), ctx(0))
    expect(toHex(stateRoot(t))).not.toBe(toHex(stateRoot(s)))
  })
})

function network(opts: ReplicaOptions = {}) {
  return authoringReplicas(tc, deposits, opts)
}

describe('forced records across replicas', () => {
  it('the checkpoint commits to the included prefix (forcedCount)', () => {
    const reps = network()
    const rec = forced(0n, 3, transfer(0, 30n))
    for (const r of reps.slice(0, 3)) r.submit(rec)
    runToQuiet(reps)
    reps[0]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.finalState().forcedCount).toBe(1n)
      expect(r.finalState().holdings(3, 0)).toBe(AMOUNT - 30n)
      const cp = r.latestCertified()
      expect(cp?.forcedCount).toBe(1n)
    }
  })

  it('property: honest replicas include the same records at one final position; each op runs once; made-up records never', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 4 }), (seed, records) => {
        const rng = new Rng(seed)
        const reps = network()
        // the chain's records: participant (i % 4) moves i + 1 of token 0 to participant (i + 1) % 4
        const chain = Array.from({ length: records }, (_, i) =>
          forced(BigInt(i), i % 4, transfer((i + 1) % 4, BigInt(i + 1))),
        )
        // each honest replica (0, 1, 2) attests every record, in a random order, interleaved with transfers;
        // participant 3 (Byzantine) attests a made-up record 0 and records that do not exist
        const plan: [number, Op][] = []
        for (const h of [0, 1, 2]) for (const c of chain) plan.push([h, c])
        plan.push([3, forced(0n, 3, transfer(0, 999n))])
        plan.push([3, forced(BigInt(records), 3, transfer(0, 999n))])
        for (let k = 0; k < 6; k++) plan.push([rng.int(0, 4), transfer(rng.int(0, 4), 1n, 1)])
        for (let i = plan.length - 1; i > 0; i--) {
          const j = rng.int(0, i + 1)
          ;[plan[i], plan[j]] = [plan[j]!, plan[i]!]
        }
        let now = 0
        for (const [who, op] of plan) {
          reps[who]!.submit(op, now)
          now += 100
          if (rng.next() < 0.5) runToQuiet(reps, now)
        }
        runToQuiet(reps, now + 100)
        const roots = reps.map((r) => toHex(stateRoot(r.finalState())))
        for (const r of reps) {
          const s = r.finalState()
          expect(s.forcedCount).toBe(BigInt(records))
          // token 0 moved exactly by the chain's records, once each; the made-up 999 never
          for (let p = 0; p < 4; p++) {
            let expected = AMOUNT
            for (let i = 0; i < records; i++) {
              if (i % 4 === p) expected -= BigInt(i + 1)
              if ((i + 1) % 4 === p) expected += BigInt(i + 1)
            }
            expect(s.holdings(p, 0)).toBe(expected)
          }
        }
        expect(new Set(roots).size).toBe(1)
        // one final position everywhere: the same final order
        const order = reps[0]!.finalIds()
        for (const r of reps) expect(r.finalIds()).toEqual(order)
      }),
      { numRuns: 6 },
    )
  })
})

describe('censorship: an honest key never signs a checkpoint leaving out a due forced record', () => {
  const T = 10_000_000 // channel time of the run (ms): 10,000 s
  /** Record 0 (participant 0's transfer) recorded on chain at `recordTime` s; only replica 0 attests it. */
  function censoredRun(recordTime: bigint) {
    const reps = network()
    reps[0]!.noteForcedTimes([{ index: 0n, time: recordTime }])
    reps[0]!.submit(forced(0n, 0, transfer(1, 5n)), T)
    runToQuiet(reps, T)
    reps[1]!.submit({ tag: OpTag.CheckpointRequest }, T)
    runToQuiet(reps, T)
    return reps
  }

  it('refuses a checkpoint whose time is past record time + delay (1 h) while the censors withhold the quorum', () => {
    const reps = censoredRun(BigInt(T / 1000) - 3_600n)
    const cp = reps[1]!.heldCheckpoints().at(-1)!
    expect(cp.forcedCount).toBe(0n) // one attestation is no quorum: the record is left out
    expect(cp.time).toBeGreaterThanOrEqual(BigInt(T))
    expect(cp.signatures.has(0)).toBe(false)
    expect([...cp.signatures.keys()].sort()).toEqual([1, 2, 3]) // the censors' quorum: evidence against each of them
    expect(reps[0]!.censorshipRefusals).toContainEqual({ version: cp.version, index: 0n })
  })

  it('signs the same checkpoint while the record is not due yet (recorded 1,000 s later)', () => {
    const reps = censoredRun(BigInt(T / 1000) - 3_600n + 1_000n)
    const cp = reps[1]!.heldCheckpoints().at(-1)!
    expect(cp.forcedCount).toBe(0n)
    expect(cp.signatures.has(0)).toBe(true)
    expect(reps[0]!.censorshipRefusals).toEqual([])
  })
})
