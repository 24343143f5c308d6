import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { OpTag } from '../ops.ts'
import { BatchFullError, Replica } from '../replica.ts'
import { exitProofs } from '../roots.ts'
import { Rng } from '../sim/rng.ts'
import { makeTestChannel, runToQuiet, testDeposits } from '../testing.ts'
import { decodeBase, encodeBase, type PrunedBase } from './base.ts'

const P = 4
const tc = makeTestChannel({ participants: P, label: 'checkpoint-bound' })
const deposits = testDeposits(P, 2, 10n ** 12n)
const options = (i: number) => ({
  ignoreForcedQueue: true,
  author: { index: i, sessionKey: tc.members[i]!.sessionKey },
  deposits,
  refDepth: 3,
  leaderWaitMs: 0,
  maxBatchOps: 16,
  checkpointIntervalMs: 1000,
})
const root = (r: Replica) => toHex(r.stateRoot())

/**
 * A few transfers, then one lockstep network run with the channel clock 1.5 s on. The channel clock is the median time
 * a committed leader cites, so the leader that makes a step's ops final (their own block, two rounds on) reads the
 * previous step's times: checkpoints come two every other step, and a replica prunes every other step.
 */
function step(reps: Replica[], rng: Rng, clock: { now: number }): void {
  for (let i = 0; i < 6; i++) {
    const a = rng.int(0, P)
    try {
      reps[a]!.submit({ tag: OpTag.Transfer, to: (a + 1) % P, token: rng.int(0, 2), amount: 1n }, clock.now)
    } catch (e) {
      if (!(e instanceof BatchFullError)) throw e
    }
  }
  clock.now += 1500
  runToQuiet(reps, clock.now)
}

describe('the checkpoint list is bounded by pruning (issue #8)', () => {
  it('over many prunings the base (its checkpoint list included) and the records held stay flat', () => {
    const reps = tc.members.map((_, i) => new Replica(tc.channel, options(i)))
    const rng = new Rng(21)
    const clock = { now: 0 }
    const rows: { version: bigint; bytes: number; held: number; inBase: number }[] = []
    let base: PrunedBase | undefined
    for (let k = 0; k < 40; k++) {
      step(reps, rng, clock)
      // replicas 0–2 prune at every newly certified checkpoint; replica 3 keeps every block and record
      for (const r of reps.slice(0, 3)) {
        const b = r.prune()
        if (r === reps[0] && b) {
          base = b
          rows.push({
            version: b.version,
            bytes: encodeBase(b).length,
            held: r.heldCheckpoints().length,
            inBase: b.checkpoints.length,
          })
        }
      }
    }
    const [a, full] = [reps[0]!, reps[3]!]
    if (process.env.CHECKPOINT_SIZES)
      console.log(JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? `${v}` : v)))
    expect(rows.length).toBeGreaterThan(16)
    expect(a.latestCheckpointVersion).toBeGreaterThan(16n)
    expect(full.heldCheckpoints().length).toBe(Number(full.latestCheckpointVersion))
    // flat: the late prunings keep no more records, and write no more bytes, than the early ones
    const early = rows.slice(2, 8)
    const late = rows.slice(-6)
    const max = (xs: typeof rows, f: (x: (typeof rows)[number]) => number) => Math.max(...xs.map(f))
    expect(max(late, (x) => x.held)).toBeLessThanOrEqual(max(early, (x) => x.held))
    expect(max(late, (x) => x.inBase)).toBeLessThanOrEqual(max(early, (x) => x.inBase))
    expect(max(late, (x) => x.bytes)).toBeLessThan(max(early, (x) => x.bytes) * 1.1)
    expect(max(late, (x) => x.held)).toBeLessThan(10)
    // what is held is what the replica that kept everything has at those versions, and what pruning must keep
    for (const c of a.heldCheckpoints()) {
      expect(c.digest).toBe(full.checkpoint(c.version)!.digest)
      expect(c.signatures.size).toBe(full.checkpoint(c.version)!.signatures.size)
    }
    const certified = a.latestCertified()!
    expect(certified.version).toBe(full.latestCertified()!.version)
    expect(a.latestFullySigned()!.version).toBe(full.latestFullySigned()!.version)
    for (let v = a.prunedVersion; v <= a.latestCheckpointVersion; v++) expect(a.checkpoint(v)).toBeDefined()
    for (let p = 0; p < P; p++) {
      // per participant the newest record with its signature: a proposal below it by that participant is slashable
      let newest = 0n
      for (const c of full.heldCheckpoints()) if (c.signatures.has(p)) newest = c.version
      expect(a.checkpoint(newest)?.signatures.has(p)).toBe(true)
    }
    // a forgotten version is reported as such, not as one never computed
    const forgotten = full.heldCheckpoints().find((c) => !a.checkpoint(c.version))!
    expect(() => a.stateOfCheckpoint(forgotten.version)).toThrow(/pruning point/)
    expect(() => a.stateOfCheckpoint(a.latestCheckpointVersion + 1n)).toThrow(/no checkpoint/)

    // the base survives its codec, and a replica restored from it with the tail equals the one that never pruned
    const b = base!
    const decoded = decodeBase(encodeBase(b))
    expect(decoded).toEqual(b)
    const reloaded = new Replica(tc.channel, options(0))
    reloaded.restore(decoded)
    expect(reloaded.receiveMany(a.blocksInOrder()).every((r) => r.status === 'accepted')).toBe(true)
    expect(root(reloaded)).toBe(root(full))
    expect(full.finalIds().slice(reloaded.prunedCount)).toEqual(reloaded.finalIds())
    expect(reloaded.latestCheckpointVersion).toBe(full.latestCheckpointVersion)
    expect(reloaded.latestCertified()!.digest).toBe(full.latestCertified()!.digest)
    const v = b.version
    expect(exitProofs(reloaded.stateOfCheckpoint(v), v, 1)).toEqual(
      exitProofs(full.stateOfCheckpoint(v), v, 1),
    )
    // it takes the pruned replica's place: the channel goes on, the next checkpoints are the same everywhere
    reps[0] = reloaded
    for (let k = 0; k < 4; k++) step(reps, rng, clock)
    for (const r of reps) expect(root(r)).toBe(root(full))
    expect(reloaded.latestCheckpointVersion).toBe(full.latestCheckpointVersion)
    expect(reloaded.latestCertified()!.digest).toBe(full.latestCertified()!.digest)
    // and it never signs a version twice: every signature it made is the one the others hold for it
    for (const c of reloaded.heldCheckpoints())
      if (c.signatures.has(0))
        expect(toHex(c.signatures.get(0)!)).toBe(toHex(full.checkpoint(c.version)!.signatures.get(0)!))
  })
})
