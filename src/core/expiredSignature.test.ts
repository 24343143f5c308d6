import { describe, expect, it } from 'vitest'
import { OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const P = 4
const D = 3
const tc = makeTestChannel({ participants: P, label: 'expired-signature' })
const deposits = testDeposits(P, 1, 10n ** 12n)
// no checkpoint by time: the one a CheckpointRequest asks for stays the newest while the others trade on
const make = (i: number) =>
  new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index: i, sessionKey: tc.members[i]!.sessionKey },
    deposits,
    refDepth: D,
    lateSlack: 0,
    leaderWaitMs: 0,
    checkpointIntervalMs: 10 ** 12,
  })
const pay = (r: Replica, to: number, now: number) =>
  r.submit({ tag: OpTag.Transfer, to, token: 0, amount: 1n }, now)

/**
 * A checkpoint is computed while participant 3 is cut off outbound: it hears the others, computes the checkpoint and
 * signs it automatically in a block X that reaches nobody. The others trade on for more than D + K rounds (K = 0), so
 * X expires everywhere; they receive it only as a header, whose ops (the signature among them) nobody reads.
 */
function lostSignature() {
  const reps = tc.members.map((_, i) => make(i))
  const [cut, others] = [reps[3]!, reps.slice(0, 3)]
  let now = 0
  for (let k = 0; k < 3; k++) {
    for (const [i, r] of reps.entries()) pay(r, (i + 1) % P, now)
    now += 100
    runToQuiet(reps, now)
  }
  reps[0]!.submit({ tag: OpTag.CheckpointRequest }, now)
  now += 100
  const heard = runToQuiet(others, now)
  cut.receiveMany(heard)
  const version = others[0]!.latestCheckpointVersion
  expect(cut.latestCheckpointVersion).toBe(version)
  now += 100
  const lost = runToQuiet([cut], now)
  expect(lost.length).toBe(1)
  const x = cut.latest[3]!
  expect(x.block.ops.some((op) => op.tag === OpTag.Checkpoint && op.version === version)).toBe(true)
  const meanwhile: Uint8Array[] = []
  const start = others[0]!.latest[0]!.round
  while (others[0]!.latest[0]!.round < start + 3 * D) {
    for (const [i, r] of others.entries()) pay(r, (i + 1) % 3, now)
    now += 100
    meanwhile.push(...runToQuiet(others, now))
  }
  expect(others[0]!.latestCheckpointVersion).toBe(version)
  cut.receiveMany(meanwhile)
  for (const r of others) r.receiveMany(lost)
  return { reps, cut, x, version, now }
}

describe('a checkpoint signature carried by an own block that expired (CONTEXT.md, "Chain restart")', () => {
  it('is signed again, over the same digest, in the next block: the checkpoint gathers every signature', () => {
    const { reps, cut, x, version, now } = lostSignature()
    expect(cut.expiredOwn().map((e) => e.seq)).toEqual([BigInt(x.seq)])
    for (const r of reps) expect(r.nodes.get(x.hex)?.expired ?? true).toBe(true)
    runToQuiet(reps, now + 100)
    for (const r of reps) {
      const cp = r.checkpoint(version)!
      expect([...cp.signatures.keys()].sort()).toEqual([0, 1, 2, 3])
      expect(r.latestFullySigned()?.version).toBe(version)
      expect(r.checkpointConflicts).toEqual([])
    }
    // one signature of it in a block that is final: the re-signed one
    const carriers = cut.finalIds().filter((id) => {
      const node = cut.nodes.get(id)!
      return node.author === 3 && node.block.ops.some((op) => op.tag === OpTag.Checkpoint)
    })
    expect(carriers.length).toBe(1)
  })
})
