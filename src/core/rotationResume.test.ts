/**
 * A rotated participant restarts (issue #12, the app's key rotation): its replica comes back with the configured
 * session key, its own blocks from the durable store, and the rotations it kept; resumeRotations must leave it
 * signing exactly as before the restart. A fresh rotation is announced by a block of its own.
 */
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from './bytes.ts'
import { type RotationParameters, rotationOf, signRotation } from './keys.ts'
import { type Op, OpTag, type RotateKeyOp } from './ops.ts'
import { Replica, RotationError } from './replica.ts'
import { addressFromPrivateKey, recoverAddress } from './signature.ts'
import { keyFromLabel, makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const AMOUNT = 1_000_000n
const tc = makeTestChannel({ participants: 4, label: 'rotation-resume' })
const deposits = testDeposits(4, 2, AMOUNT)
const A = 2
const first = keyFromLabel('rotation-resume/first')
const second = keyFromLabel('rotation-resume/second')
const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })
const replicaOf = (index: number, sessionKey = tc.members[index]!.sessionKey) =>
  new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index, sessionKey },
    deposits,
    leaderWaitMs: 0,
  })
const network = () => tc.members.map((m) => replicaOf(m.index))

/** A rotates to `key` at its rotation point (the wallet signs); returns the op. */
function rotate(r: Replica, key: Uint8Array): RotateKeyOp {
  const p: RotationParameters = { newKey: addressFromPrivateKey(key), ...r.rotationPoint() }
  const op = signRotation(tc.channel, A, p, tc.members[A]!.walletKey)
  r.rotateKey(key, op)
  return op
}

/** A's replica after a restart: configured key, every block it had (its own from the durable store). */
function restart(old: Replica): Replica {
  const fresh = replicaOf(A)
  fresh.receiveMany(old.blocksInOrder())
  return fresh
}

describe('resuming key rotations after a restart (issue #12)', () => {
  it('a rotation is announced at once: the next block carries it without any op of the participant', () => {
    const reps = network()
    reps[A]!.submit(transfer(0, 10n))
    runToQuiet(reps)
    const op = rotate(reps[A]!, first)
    expect(reps[A]!.rotationPending()).toBe(true)
    runToQuiet(reps)
    expect(reps[A]!.rotationPending()).toBe(false)
    const carrier = reps[0]!.latest[A]!
    expect(BigInt(carrier.seq)).toBe(op.fromSeq)
    expect(rotationOf(carrier.block)).toEqual(op)
    for (const r of reps) expect(r.keyEpochs(A).map((e) => e.key)).toContain(addressFromPrivateKey(first))
  })

  it('two rotations, a restart, and the resumed replica keeps signing blocks and checkpoints with the newest key', () => {
    const reps = network()
    reps[A]!.submit(transfer(0, 10n))
    runToQuiet(reps)
    const op1 = rotate(reps[A]!, first)
    reps[A]!.submit(transfer(1, 20n))
    runToQuiet(reps)
    const op2 = rotate(reps[A]!, second)
    runToQuiet(reps)
    const before = toHex(reps[0]!.stateRoot())

    const resumed = restart(reps[A]!)
    // without the stored rotations it would sign with the configured key: its next block would be refused
    resumed.resumeRotations([
      { key: first, op: op1 },
      { key: second, op: op2 },
    ])
    expect(toHex(resumed.stateRoot())).toBe(before)
    reps[A] = resumed
    resumed.submit(transfer(3, 30n))
    reps[0]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    const roots = new Set(reps.map((r) => toHex(r.stateRoot())))
    expect(roots.size).toBe(1)
    for (const r of reps) {
      expect(r.finalState().holdings(3, 0)).toBe(AMOUNT + 30n)
      expect(r.equivocators()).toEqual([])
    }
    // the checkpoint taken after the restart carries A's signature by the newest key, on every replica
    const cp = reps[0]!.latestCertified()!
    expect(cp.version).toBeGreaterThanOrEqual(op2.fromVersion)
    for (const r of reps) {
      const sig = r.checkpoint(cp.version)!.signatures.get(A)!
      expect(recoverAddress(fromHex(cp.digest, 32), sig)).toBe(addressFromPrivateKey(second))
    }
  })

  it('a rotation kept but not yet in any block (restart right after the wallet signed) resumes and is announced', () => {
    const reps = network()
    reps[A]!.submit(transfer(0, 10n))
    runToQuiet(reps)
    const op = rotate(reps[A]!, first)
    // the page closes before the next block: nothing carries the rotation
    const resumed = restart(reps[A]!)
    resumed.resumeRotations([{ key: first, op }])
    expect(resumed.rotationPending()).toBe(true)
    reps[A] = resumed
    runToQuiet(reps)
    for (const r of reps) expect(rotationOf(r.latest[A]!.block)).toEqual(op)
    expect(new Set(reps.map((r) => toHex(r.stateRoot()))).size).toBe(1)
  })

  it('refuses stored rotations that are not this chain: a missing one, a wrong key, one above the next block', () => {
    const reps = network()
    reps[A]!.submit(transfer(0, 10n))
    runToQuiet(reps)
    const op1 = rotate(reps[A]!, first)
    runToQuiet(reps)
    const op2 = rotate(reps[A]!, second)
    runToQuiet(reps)
    // the newest block carries op2: resuming with op1 alone would sign with the wrong key
    expect(() => restart(reps[A]!).resumeRotations([{ key: first, op: op1 }])).toThrow(RotationError)
    expect(() =>
      restart(reps[A]!).resumeRotations([
        { key: first, op: op1 },
        { key: first, op: op2 },
      ]),
    ).toThrow(RotationError)
    const ahead = signRotation(
      tc.channel,
      A,
      { newKey: addressFromPrivateKey(second), fromSeq: op2.fromSeq + 5n, fromVersion: op2.fromVersion },
      tc.members[A]!.walletKey,
    )
    expect(() =>
      restart(reps[A]!).resumeRotations([
        { key: first, op: op1 },
        { key: second, op: ahead },
      ]),
    ).toThrow(RotationError)
    // and without the stored rotations, the restarted replica cannot even seal: its chain went through them
    const bare = restart(reps[A]!)
    bare.submit(transfer(0, 1n))
    expect(() => bare.tick(10_000)).toThrow(/own block refused/)
  })
})
