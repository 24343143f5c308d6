import { describe, expect, it } from 'vitest'
import { forcedVerdict } from './censorship.ts'
import { encodeOp } from './opCodec.ts'
import { OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const tc = makeTestChannel({ participants: 4, label: 'forced-freshness' })
const deposits = testDeposits(4, 2, 1_000n)
const D = 3_600n // the test channel's dispute window is 1 h, so the force-inclusion delay is too
const T = 10_000_000 // the run's channel time (ms): 10,000 s

/** Replica 0 watches the forced queue (as a live participant does); 1–3 sign as if no chain existed. */
function network() {
  return tc.members.map(
    (m) =>
      new Replica(tc.channel, {
        author: { index: m.index, sessionKey: m.sessionKey },
        deposits,
        leaderWaitMs: 0,
        ignoreForcedQueue: m.index !== 0,
      }),
  )
}

/** A transfer and a checkpoint request at channel time T: the checkpoint every replica computes, q = 3 sign it. */
function checkpointed() {
  const reps = network()
  reps[1]!.submit({ tag: OpTag.Transfer, to: 2, token: 0, amount: 5n }, T)
  runToQuiet(reps, T)
  reps[1]!.submit({ tag: OpTag.CheckpointRequest }, T)
  runToQuiet(reps, T)
  const cp = reps[1]!.heldCheckpoints().at(-1)!
  expect(cp.time).toBeGreaterThanOrEqual(BigInt(T))
  return { reps, cp }
}

describe('forcedVerdict: sign only with knowledge of the forced queue fresh as of checkpoint time − delay', () => {
  const cp = { time: 10_000_000n, forcedCount: 2n }
  const none = new Map<bigint, bigint>()

  it('defers with no read, and with a read whose chain time + delay is not past the checkpoint time', () => {
    expect(forcedVerdict(cp, undefined, none, D)).toEqual({ kind: 'defer', reason: 'no-read' })
    // a record recorded in the read's own second (a later block of the same timestamp) would be due exactly at cp.time
    expect(forcedVerdict(cp, { count: 2n, asOfChainTime: 10_000n - D }, none, D)).toEqual({
      kind: 'defer',
      reason: 'stale',
    })
    expect(forcedVerdict(cp, { count: 2n, asOfChainTime: 10_000n - D + 1n }, none, D)).toEqual({
      kind: 'sign',
    })
  })

  it('defers while a record below the read count is left out and its time unknown; refuses it once due', () => {
    const fresh = { count: 3n, asOfChainTime: 10_000n }
    expect(forcedVerdict(cp, fresh, none, D)).toEqual({ kind: 'defer', reason: 'unknown-record' })
    expect(forcedVerdict(cp, fresh, new Map([[2n, 10_000n - D + 1n]]), D)).toEqual({ kind: 'sign' })
    expect(forcedVerdict(cp, fresh, new Map([[2n, 10_000n - D]]), D)).toEqual({ kind: 'refuse', index: 2n })
    // records the checkpoint includes need no time
    expect(forcedVerdict({ ...cp, forcedCount: 3n }, fresh, none, D)).toEqual({ kind: 'sign' })
  })

  it('refuses a known due record left out whatever the read says (even none)', () => {
    expect(forcedVerdict(cp, undefined, new Map([[2n, 0n]]), D)).toEqual({ kind: 'refuse', index: 2n })
  })
})

describe('a live replica defers a checkpoint signature until its forced-queue read is fresh', () => {
  it('a replica that has read nothing yet (just started) signs nothing, and proposes no empty blocks meanwhile', () => {
    const { reps, cp } = checkpointed()
    expect([...cp.signatures.keys()].sort()).toEqual([1, 2, 3])
    expect(reps[0]!.forcedDeferral).toEqual({ version: cp.version, reason: 'no-read' })
    // quiet: the deferred signature is no reason to propose (runToQuiet would throw on endless rounds)
    expect(runToQuiet(reps, T + 1_000)).toEqual([])
    expect(reps[0]!.wantsToPropose()).toBe(false)
  })

  it('a stale read (chain time + delay ≤ checkpoint time) keeps deferring; a fresh one gets the signature out', () => {
    const { reps, cp } = checkpointed()
    const stale = cp.time / 1000n - D
    reps[0]!.noteForcedQueue({ count: 0n, asOfChainTime: stale, records: [] })
    expect(reps[0]!.wantsToPropose()).toBe(false)
    runToQuiet(reps, T + 1_000)
    expect(cp.signatures.has(0)).toBe(false)
    expect(reps[0]!.forcedDeferral?.reason).toBe('stale')
    // an older read arriving late changes nothing
    reps[0]!.noteForcedQueue({ count: 0n, asOfChainTime: stale - 100n, records: [] })
    expect(reps[0]!.wantsToPropose()).toBe(false)

    reps[0]!.noteForcedQueue({ count: 0n, asOfChainTime: stale + 1n, records: [] })
    expect(reps[0]!.wantsToPropose()).toBe(true)
    runToQuiet(reps, T + 2_000)
    for (const r of reps) expect(r.heldCheckpoints().at(-1)!.signatures.size).toBe(4) // fully signed everywhere
    expect(reps[0]!.forcedDeferral).toBeUndefined()
    expect(reps[0]!.censorshipRefusals).toEqual([])
  })

  it('a record the read counts but whose time it did not report: deferred, then refused once known to be due', () => {
    const { reps, cp } = checkpointed()
    expect(reps[0]!.forcedReadFrom()).toBe(0n)
    reps[0]!.noteForcedQueue({ count: 1n, asOfChainTime: cp.time / 1000n, records: [] })
    runToQuiet(reps, T + 1_000)
    expect(reps[0]!.forcedDeferral?.reason).toBe('unknown-record')
    expect(cp.signatures.has(0)).toBe(false)
    // the record was made an hour before the checkpoint and nobody attested it: signing would be slashable
    reps[0]!.noteForcedQueue({
      count: 1n,
      asOfChainTime: cp.time / 1000n,
      records: [{ index: 0n, time: cp.time / 1000n - D }],
    })
    runToQuiet(reps, T + 2_000)
    expect(cp.signatures.has(0)).toBe(false)
    expect(reps[0]!.censorshipRefusals).toEqual([{ version: cp.version, index: 0n }])
    expect(reps[0]!.forcedDeferral).toBeUndefined()
  })

  it('with a fresh read before the checkpoint, the signature goes out in the same rounds as everyone else’s', () => {
    const reps = network()
    reps[0]!.noteForcedQueue({ count: 0n, asOfChainTime: BigInt(T / 1000), records: [] })
    reps[1]!.submit({ tag: OpTag.Transfer, to: 2, token: 0, amount: 5n }, T)
    runToQuiet(reps, T)
    reps[1]!.submit({ tag: OpTag.CheckpointRequest }, T)
    runToQuiet(reps, T)
    expect(reps[1]!.heldCheckpoints().at(-1)!.signatures.size).toBe(4)
    expect(reps[0]!.forcedDeferral).toBeUndefined()
  })

  it('a forced record the replica attested and the checkpoint includes needs no time', () => {
    const reps = network()
    const rec = {
      tag: OpTag.ForcedAttest,
      forcedIndex: 0n,
      participant: 3,
      op: encodeOp({ tag: OpTag.Transfer, to: 0, token: 0, amount: 30n }),
    } as const
    for (const r of reps.slice(0, 3)) r.submit(rec, T)
    runToQuiet(reps, T)
    reps[0]!.noteForcedQueue({ count: 1n, asOfChainTime: BigInt(T / 1000), records: [] })
    reps[1]!.submit({ tag: OpTag.CheckpointRequest }, T)
    runToQuiet(reps, T)
    const cp = reps[1]!.heldCheckpoints().at(-1)!
    expect(cp.forcedCount).toBe(1n)
    expect(cp.signatures.has(0)).toBe(true)
  })
})
