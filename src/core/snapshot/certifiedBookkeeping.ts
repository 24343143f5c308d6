import { bytesEqual, toHex } from '../bytes.ts'
import type { Channel } from '../channel.ts'
import { type PrunedBase, toRanges } from './base.ts'
import { sealedId } from './stubSeal.ts'

/**
 * Why the bookkeeping of an offered base that follows from its certified checkpoint is not what it must be, or
 * undefined (issue #8; src/core/CONTEXT.md, "Rejoin after everyone pruned"). Every honest base (Pruning.base) is
 * taken right after the pruning checkpoint's leader, so these are not the peer's to choose:
 * - the channel clock and the checkpoint schedule: `clock` and `lastCheckpointTime` are the checkpoint's `time`
 *   (signed), no op counted and no checkpoint requested since;
 * - the commit rule's position: `nextRound` is the leader's round + 1. The leader's round is certified by its header:
 *   the stub of `leader` in the frontier (author, seq, round, time) with `leaderHeader` (prev, parentsHash, opsHash)
 *   must hash to the checkpoint's `leader` id (one keccak; the stub is taken as the block's only if it does), and
 *   no stub that is not expired lies above its round.
 * Runs before the checkpoint's signatures are checked (Replica.restore checks them): cheap, linear in the frontier.
 */
export function uncertifiedProblem(channel: Channel, b: PrunedBase): string | undefined {
  const cp = b.checkpoints.find((c) => c.version === b.version)
  if (!cp) return `no checkpoint ${b.version} in the base`
  if (b.clock !== cp.time || b.lastCheckpointTime !== cp.time) return 'clock other than the checkpoint’s time'
  if (b.opsSinceCheckpoint !== 0 || b.checkpointRequested) return 'checkpoint schedule not at the checkpoint'
  const h = b.leaderHeader
  if (!h || ![h.prev, h.parentsHash, h.opsHash].every((x) => x instanceof Uint8Array && x.length === 32))
    return 'no header of the checkpoint’s leader'
  const leaderId = toHex(cp.leader)
  const stub = b.frontier.find((r) => r.id === leaderId)
  if (!stub || stub.expired || stub.revoked) return 'the checkpoint’s leader is not in the frontier'
  const id = sealedId(channel, stub, h)
  if (!bytesEqual(id, cp.leader)) return 'the checkpoint’s leader header does not hash to its id'
  if (b.nextRound !== stub.round + 1) return 'commit rule position other than the leader’s round + 1'
  // every pruned block is final at or before the leader, so of its round or below (expired ones are never final)
  if (b.frontier.some((r) => !r.expired && r.round > stub.round))
    return 'a final stub above the leader’s round'
  return committedProblem(channel.config.participants.length, b)
}

/**
 * Why the committed seqs and rounds of a base are not those of its frontier, or undefined. A pruned replica keeps
 * exactly the seqs and rounds of its final stubs (Pruning.raiseFloor forgets both together), so the lists follow
 * from the frontier and are no more the peer's word than it is: a made-up entry would make an honest author's
 * next block look like a fork (all its later blocks void), a missing one would let a real fork through.
 * Stubs signed by a replaced key do not count (an offered base has none: shapeProblem refuses rotations).
 */
export function committedProblem(n: number, b: PrunedBase): string | undefined {
  const seqs = Array.from({ length: n }, () => new Set<number>())
  const rounds = Array.from({ length: n }, () => new Set<number>())
  for (const r of b.frontier) {
    if (r.expired || r.revoked) continue
    seqs[r.author]!.add(r.seq)
    rounds[r.author]!.add(r.round)
  }
  const same = (a: [number, number][], c: readonly [number, number][] | undefined) =>
    (c ?? []).length === a.length && a.every(([x, y], i) => c![i]![0] === x && c![i]![1] === y)
  for (let a = 0; a < n; a++) {
    if (!same(toRanges(seqs[a]!), b.committedSeqs[a])) return `committed seqs of ${a} are not its stubs'`
    if (!same(toRanges(rounds[a]!), b.committedRounds[a]))
      return `committed rounds of ${a} are not its stubs'`
  }
  return undefined
}
