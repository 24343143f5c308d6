import { describe, expect, it } from 'vitest'
import { fromHex } from './bytes.ts'
import { closeDigestOf } from './close.ts'
import { closeIsCurrent, closeProgress } from './closeProgress.ts'
import { OpTag } from './ops.ts'
import type { Replica } from './replica.ts'
import { signDigest } from './signature.ts'
import { authoringReplicas, makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const tc = makeTestChannel({ participants: 3 })
const deposits = testDeposits(3, 2, 1_000n)

/** three replicas with a certified v1 after one transfer */
function certified() {
  const reps = authoringReplicas(tc, deposits)
  reps[0]!.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 5n })
  reps[0]!.submit({ tag: OpTag.CheckpointRequest })
  runToQuiet(reps)
  expect(reps[2]!.latestCertified()!.version).toBe(1n)
  return reps
}

const progressAt = (r: Replica) =>
  closeProgress({
    requests: r.closes.list(),
    ownDigest: (v) => r.checkpoint(v)?.digest.toLowerCase() as `0x${string}` | undefined,
    newest: r.latestCheckpointVersion,
    finalOpsSince: r.finalOpsSinceCheckpoint,
    participants: r.channel.config.participants.length,
  })

describe('closeIsCurrent: a close is only signed or submitted while nothing came after its checkpoint', () => {
  it('only the newest checkpoint, and only with no final ops after it', () => {
    expect(closeIsCurrent(3n, 3n, 0)).toBe(true)
    expect(closeIsCurrent(2n, 3n, 0)).toBe(false)
    expect(closeIsCurrent(3n, 3n, 1)).toBe(false)
    expect(closeIsCurrent(1n, 0n, 0)).toBe(false)
  })
})

describe('closeProgress over replicas exchanging Close ops', () => {
  it('k of n: who signed and who is missing, at every replica, until all n signed', () => {
    const reps = certified()
    for (const r of reps) expect(progressAt(r)).toBeUndefined()
    reps[1]!.submit(reps[1]!.closeOp(1n))
    runToQuiet(reps)
    for (const r of reps)
      expect(progressAt(r)).toMatchObject({ signed: [1], missing: [0, 2], ours: true, superseded: false })
    reps[2]!.submit(reps[2]!.closeOp(1n))
    runToQuiet(reps)
    for (const r of reps) expect(progressAt(r)).toMatchObject({ signed: [1, 2], missing: [0] })
    reps[0]!.submit(reps[0]!.closeOp(1n))
    runToQuiet(reps)
    for (const r of reps) expect(progressAt(r)).toMatchObject({ signed: [0, 1, 2], missing: [] })
  })

  it('a trade final after the checkpoint supersedes its close: nobody signs it any more', () => {
    const reps = certified()
    reps[1]!.submit(reps[1]!.closeOp(1n))
    runToQuiet(reps)
    // a transfer after v1 became final: closing with v1 would undo it
    reps[2]!.submit({ tag: OpTag.Transfer, to: 0, token: 1, amount: 7n })
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.finalOpsSinceCheckpoint).toBeGreaterThan(0)
      expect(progressAt(r)).toMatchObject({ signed: [1], superseded: true })
    }
    expect(() => reps[0]!.closeOp(1n)).toThrow(/closing with it would undo them/)
    // the newer checkpoint covers it: a close there is current again
    reps[2]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    expect(reps[0]!.latestCheckpointVersion).toBe(2n)
    expect(reps[0]!.finalOpsSinceCheckpoint).toBe(0)
    expect(() => reps[0]!.closeOp(1n)).toThrow(/closing with it would undo them/)
    reps[0]!.submit(reps[0]!.closeOp(2n))
    runToQuiet(reps)
    for (const r of reps)
      expect(progressAt(r)).toMatchObject({
        request: { version: 2n, requestedBy: 0 },
        signed: [0],
        superseded: false,
      })
  })

  it('a close of a checkpoint nobody computed does not hide the real one', () => {
    const reps = certified()
    reps[1]!.submit(reps[1]!.closeOp(1n))
    // participant 2 signs a close of a made-up checkpoint at a higher version
    const madeUp = fromHex(`0x${'77'.repeat(32)}`, 32)
    reps[2]!.submit({
      tag: OpTag.Close,
      version: 9n,
      checkpointDigest: madeUp,
      signature: signDigest(closeDigestOf(tc.channel, 9n, madeUp), tc.members[2]!.sessionKey),
    })
    runToQuiet(reps)
    expect(reps[0]!.closes.list()[0]!.version).toBe(9n)
    expect(progressAt(reps[0]!)).toMatchObject({ request: { version: 1n }, ours: true })
  })
})
