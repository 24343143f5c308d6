import type { Channel } from '../channel.ts'
import { checkpointDigest, type SignedCheckpoint } from '../checkpoint.ts'
import type { Replica } from '../replica.ts'
import { recoverAddress } from '../signature.ts'
import { decodeBase, type PrunedBase } from './base.ts'
import { uncertifiedProblem } from './certifiedBookkeeping.ts'
import { stubSealProblem } from './stubSeal.ts'

/** The most bytes of a base taken from a peer (a base is ~10–100 KB; its state grows with open orders and accounts). */
export const MAX_OFFERED_BASE_BYTES = 2 * 1024 * 1024

/** committed seqs or rounds one author's ranges may span in an offered base (a bounded window in an honest one) */
const MAX_RANGE_SPAN = 1 << 20
/** stubs in an offered base (an honest one holds ~2D·n plus n·K for a silent author: K·n ≤ 65,536) */
const MAX_FRONTIER = 200_000

export type OfferedBaseVerdict =
  | {
      ok: true
      /** the fresh replica from `make`, restored: feed it the tail */
      replica: Replica
      /** the base as restored (the peer's evidence lists and signing watermark left out): store it as our own */
      base: PrunedBase
      /** distinct participants whose signature on the checkpoint verified */
      signers: number
    }
  | { ok: false; reason: string }

/**
 * A pruned base offered by a peer (issue #8: a participant behind everyone's pruning point, or on a new device),
 * untrusted: restored into the fresh replica `make` returns only if it is at most MAX_OFFERED_BASE_BYTES, decodes,
 * has the shape of a base for this channel with every list bounded (so no check below costs more than the bytes
 * do), and `Replica.restore` verifies it — the checkpoint's digest and q signatures under the configured keys, the
 * state's roots and counts against the checkpoint (and the same for the exit state). Left out of what the peer
 * sent: equivocation and checkpoint-conflict evidence (its signatures are not checked here; unpruned peers and the
 * chain hold it) and the peer's own signing watermark (ours starts at the base's version). Refused: a base whose
 * key epochs are not the configured keys (a rotation's wallet signature is not in the base, so it cannot be
 * checked), one whose clock, checkpoint schedule or commit-rule position is not what its certified checkpoint
 * and leader header fix (certifiedBookkeeping.ts), and one with a stub that is not a block its author signed (its
 * seal: stubSeal.ts) or, not expired, lies above the leader's round (a pruned block is final at or before the
 * leader); and, in `Replica.restore`, one whose final stubs of the last 2D rounds or authors' final tips are not
 * those the checkpoint commits to (finalWindow.ts), or whose final stubs below are not on their authors' certified
 * chains (finalChains.ts). What stays the peer's word is in CONTEXT.md, "Rejoin after everyone pruned".
 */
export function restoreOffered(channel: Channel, make: () => Replica, bytes: Uint8Array): OfferedBaseVerdict {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: 'not bytes' }
  if (bytes.length > MAX_OFFERED_BASE_BYTES) return { ok: false, reason: 'oversize' }
  let decoded: PrunedBase
  try {
    decoded = decodeBase(bytes)
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  const shape = shapeProblem(channel, decoded)
  if (shape) return { ok: false, reason: `malformed: ${shape}` }
  const uncertified = uncertifiedProblem(channel, decoded)
  if (uncertified) return { ok: false, reason: uncertified }
  for (const ref of decoded.frontier) {
    const unsigned = stubSealProblem(channel, ref)
    if (unsigned) return { ok: false, reason: unsigned }
  }
  const base: PrunedBase = {
    ...decoded,
    // flagged: the proven (certified by the state) and whoever the tail shows forking, not whom the peer names
    equivocators: decoded.equivocators.filter((a) => decoded.proven[a] === true),
    equivocations: [],
    checkpointConflicts: [],
    signedVersion: decoded.version,
  }
  const replica = make()
  try {
    replica.restore(base)
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) }
  }
  const cp = base.checkpoints.find((c) => c.version === base.version)!
  return { ok: true, replica, base, signers: validSigners(channel, cp) }
}

/** Participants whose signature on `cp` recovers to their configured session key. */
export function validSigners(channel: Channel, cp: SignedCheckpoint): number {
  const digest = checkpointDigest(channel.domainSeparator, channel.channelId, cp)
  let valid = 0
  for (const [a, sig] of cp.signatures)
    if (channel.sessionKeys[a] !== undefined && recoverAddress(digest, sig) === channel.sessionKeys[a])
      valid++
  return valid
}

const isInt = (x: unknown, max = Number.MAX_SAFE_INTEGER): x is number =>
  typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= max
const isBig = (x: unknown): x is bigint => typeof x === 'bigint' && x >= 0n
const isBytes = (x: unknown): x is Uint8Array => x instanceof Uint8Array
const isArray = (x: unknown, max: number): x is unknown[] => Array.isArray(x) && x.length <= max

/** Why `b` is not a well-formed base for `channel`, or undefined. Linear in its size. */
export function shapeProblem(channel: Channel, b: PrunedBase): string | undefined {
  const n = channel.config.participants.length
  if (typeof b !== 'object' || b === null) return 'not an object'
  if (!isBig(b.version) || b.version < 1n) return 'version'
  if (!isBytes(b.state) || !isInt(b.position)) return 'state'
  if (b.exitState !== undefined && (!isBig(b.exitState?.version) || !isBytes(b.exitState.state)))
    return 'exit state'
  if (!isArray(b.checkpoints, 8 * n + 16)) return 'checkpoints'
  for (const c of b.checkpoints) {
    const x = c as SignedCheckpoint
    if (typeof x !== 'object' || x === null || !isBig(x.version) || !isBig(x.time)) return 'checkpoint'
    if (!isBig(x.depositCount) || !isBig(x.forcedCount)) return 'checkpoint counts'
    if (!isBytes(x.leader) || !isBytes(x.stateRoot) || !isBytes(x.balancesRoot)) return 'checkpoint roots'
    if (x.windowRoot !== undefined && !(isBytes(x.windowRoot) && x.windowRoot.length === 32))
      return 'window root'
    if (typeof x.digest !== 'string' || !(x.signatures instanceof Map) || x.signatures.size > n)
      return 'checkpoint signatures'
    for (const [a, s] of x.signatures) if (!isInt(a, n - 1) || !isBytes(s)) return 'checkpoint signature'
  }
  if (!isArray(b.frontier, MAX_FRONTIER)) return 'frontier'
  for (const r of b.frontier) {
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || !/^0x[0-9a-f]{64}$/.test(r.id))
      return 'stub id'
    if (!isInt(r.author, n - 1) || !isInt(r.seq) || !isInt(r.round) || !isBig(r.time)) return 'stub'
    // no key rotation in an offered base (below): so no stub carries one or is void by a replaced key
    if (r.rotation !== undefined || r.revoked !== undefined) return 'stub rotation'
    if (r.expired !== undefined && r.expired !== true) return 'stub expired'
  }
  if (b.floor !== undefined && !isInt(b.floor)) return 'floor'
  if (!isArray(b.heads, b.frontier.length) || !b.heads.every((h) => typeof h === 'string')) return 'heads'
  if (!isInt(b.nextRound) || !isBig(b.clock) || !isBig(b.lastCheckpointTime)) return 'schedule'
  if (!isInt(b.opsSinceCheckpoint) || typeof b.checkpointRequested !== 'boolean') return 'schedule'
  for (const lists of [b.committedSeqs, b.committedRounds]) {
    if (!isArray(lists, n)) return 'committed'
    for (const ranges of lists) {
      if (!isArray(ranges, MAX_RANGE_SPAN)) return 'committed ranges'
      let span = 0
      for (const r of ranges) {
        if (!Array.isArray(r) || r.length !== 2 || !isInt(r[0]) || !isInt(r[1]) || r[1] < r[0]) return 'range'
        span += r[1] - r[0] + 1
        if (span > MAX_RANGE_SPAN) return 'range span'
      }
    }
  }
  if (!isArray(b.proven, n) || !b.proven.every((x) => typeof x === 'boolean')) return 'proven'
  if (!isArray(b.equivocators, n) || !b.equivocators.every((a) => isInt(a, n - 1))) return 'equivocators'
  if (!Array.isArray(b.equivocations) || !Array.isArray(b.checkpointConflicts)) return 'evidence'
  // key epochs: only the configured keys (a rotation's wallet signature is not in the base)
  for (const lists of [b.epochs, b.finalEpochs] as unknown[][]) {
    if (!isArray(lists, n)) return 'epochs'
    for (let a = 0; a < lists.length; a++) {
      const l = lists[a] as { key?: unknown; fromSeq?: unknown }[]
      if (!Array.isArray(l) || l.length !== 1) return 'key rotation (not verifiable from a base)'
      if (l[0]?.key !== channel.sessionKeys[a] || l[0]?.fromSeq !== 0n) return 'epochs'
    }
  }
  if (!isBig(b.signedVersion)) return 'signed version'
  return undefined
}
