import type { Hex } from 'viem'
import type { SignedCheckpoint } from '../../core/checkpoint.ts'
import { ChannelStatus } from '../types.ts'

/** What the chain says about the pending (or final) proposal, for the stale-proposal slash. */
export type ProposalView = {
  status: ChannelStatus
  /** version and digest of the pending or final checkpoint */
  version: bigint
  digest: Hex
  /** the proposer's participant index; undefined when nobody proposed or a non-participant did */
  proposer: number | undefined
  /** unix seconds: the block that made the checkpoint pending */
  proposedAt: bigint
  /** the channel's force-inclusion delay (seconds): min(dispute window, 1 h) */
  forceInclusionDelay: bigint
  /** whether the proposer was slashed already (the contract slashes once) */
  proposerSlashed: boolean
  /** evidence is accepted while `now < evidenceClosesAt` (deadline + dispute window once settling) */
  now: bigint
  evidenceClosesAt: bigint
  threshold: number
}

export type StaleSlashReason =
  /** nothing pending, or an escape (version 0) */
  | 'no-proposal'
  /** a non-participant proposed: nobody's bond to take */
  | 'proposer-not-participant'
  | 'already-slashed'
  | 'evidence-window-closed'
  /** the held checkpoint is not newer than the pending one */
  | 'held-not-newer'
  | 'held-lacks-quorum'
  /** the proposer's valid signature is not on the held checkpoint */
  | 'proposer-did-not-sign'
  /** the held checkpoint's channel time is less than the force-inclusion delay before the proposal */
  | 'too-recent'

export type StaleSlashDecision =
  | { slash: true; offender: number; version: bigint; against: bigint }
  | { slash: false; reason: StaleSlashReason }

/**
 * InvalidStateSubmission, the stale-proposal half (`slashStaleProposal`): the participant that proposed (or exited
 * with) the pending checkpoint had signed `held`, a higher version with a quorum of valid signatures, whose channel
 * time (ms) is at least the force-inclusion delay before the proposal. Mirrors the contract's checks, so the
 * simulation that precedes the write never refuses what this accepts. `validSigners` are the participant indexes
 * whose signatures on `held` verify against their on-chain keys.
 *
 * Only possible while the stale checkpoint is pending (or final): a challenge makes the challenger the proposer, so
 * a tower slashes before it challenges (the challenge would charge only Griefing, part of the bond).
 */
export function decideStaleSlash(
  chain: ProposalView,
  held: Pick<SignedCheckpoint, 'version' | 'time'> | undefined,
  validSigners: ReadonlySet<number>,
): StaleSlashDecision {
  if (chain.status !== ChannelStatus.Closing && chain.status !== ChannelStatus.Finalized)
    return { slash: false, reason: 'no-proposal' }
  if (chain.version === 0n) return { slash: false, reason: 'no-proposal' }
  if (chain.proposer === undefined) return { slash: false, reason: 'proposer-not-participant' }
  if (chain.now >= chain.evidenceClosesAt) return { slash: false, reason: 'evidence-window-closed' }
  if (chain.proposerSlashed) return { slash: false, reason: 'already-slashed' }
  if (!held || held.version <= chain.version) return { slash: false, reason: 'held-not-newer' }
  if (validSigners.size < chain.threshold) return { slash: false, reason: 'held-lacks-quorum' }
  if (!validSigners.has(chain.proposer)) return { slash: false, reason: 'proposer-did-not-sign' }
  if (held.time + chain.forceInclusionDelay * 1000n > chain.proposedAt * 1000n)
    return { slash: false, reason: 'too-recent' }
  return { slash: true, offender: chain.proposer, version: held.version, against: chain.version }
}

/** Two checkpoints at one version, one participant's valid signature on each: InvalidStateSubmission evidence. */
export type ConflictEvidence = {
  offender: number
  version: bigint
  a: { checkpoint: SignedCheckpoint; signature: Uint8Array }
  b: { checkpoint: SignedCheckpoint; signature: Uint8Array }
}

/**
 * Every participant whose valid signature is on two different digests at one version among `held` (each with the
 * signatures that verify on chain), at most one pair per participant, lowest digests first; `slashed` ones are left
 * out. Honest keys sign the one checkpoint every honest replica computes per version, never two.
 */
export function conflictEvidence(
  held: readonly { checkpoint: SignedCheckpoint; valid: ReadonlyMap<number, Uint8Array> }[],
  slashed: (index: number) => boolean,
): ConflictEvidence[] {
  const sorted = [...held].sort((x, y) =>
    x.checkpoint.version !== y.checkpoint.version
      ? x.checkpoint.version < y.checkpoint.version
        ? -1
        : 1
      : BigInt(x.checkpoint.digest) < BigInt(y.checkpoint.digest)
        ? -1
        : 1,
  )
  const out = new Map<number, ConflictEvidence>()
  for (const [i, x] of sorted.entries())
    for (const y of sorted.slice(i + 1)) {
      if (y.checkpoint.version !== x.checkpoint.version) break
      if (y.checkpoint.digest.toLowerCase() === x.checkpoint.digest.toLowerCase()) continue
      for (const [offender, sigA] of x.valid) {
        const sigB = y.valid.get(offender)
        if (!sigB || out.has(offender) || slashed(offender)) continue
        out.set(offender, {
          offender,
          version: x.checkpoint.version,
          a: { checkpoint: x.checkpoint, signature: sigA },
          b: { checkpoint: y.checkpoint, signature: sigB },
        })
      }
    }
  return [...out.values()].sort((p, q) => p.offender - q.offender)
}

/** A participant's valid signature on a checkpoint that leaves out forced record `index` though it was due. */
export type CensorshipEvidence = {
  offender: number
  checkpoint: SignedCheckpoint
  signature: Uint8Array
  index: bigint
}

/**
 * Censorship (`slashCensorship`): for every participant not `slashed` whose valid signature is on a held checkpoint
 * that leaves out forced record `cp.forcedCount` (one the chain has: below `chainForcedCount`) although that record
 * was due at the checkpoint's time (`cp.time ≥ 1000 × (record time + delay)`, the contract's bound), one piece of
 * evidence, from the newest such checkpoint it signed. Records are appended in time order, so the first record a
 * checkpoint leaves out is the one to check: if it is not due, no later one is. `recordTime` gives the chain time
 * (s) of a record the caller read, undefined when not read (nothing is decided on it).
 */
export function censorshipEvidence(
  held: readonly { checkpoint: SignedCheckpoint; valid: ReadonlyMap<number, Uint8Array> }[],
  chainForcedCount: bigint,
  recordTime: (index: bigint) => bigint | undefined,
  delaySeconds: bigint,
  slashed: (index: number) => boolean,
): CensorshipEvidence[] {
  const out = new Map<number, CensorshipEvidence>()
  const newestFirst = [...held].sort((x, y) =>
    x.checkpoint.version === y.checkpoint.version ? 0 : x.checkpoint.version > y.checkpoint.version ? -1 : 1,
  )
  for (const { checkpoint, valid } of newestFirst) {
    const index = checkpoint.forcedCount
    if (index >= chainForcedCount) continue
    const time = recordTime(index)
    if (time === undefined || checkpoint.time < (time + delaySeconds) * 1000n) continue
    for (const [offender, signature] of valid)
      if (!out.has(offender) && !slashed(offender))
        out.set(offender, { offender, checkpoint, signature, index })
  }
  return [...out.values()].sort((p, q) => p.offender - q.offender)
}

/** The forced indexes `censorshipEvidence` needs the chain time of: the first record each checkpoint leaves out. */
export function censorshipIndexes(
  held: readonly { checkpoint: Pick<SignedCheckpoint, 'forcedCount'> }[],
  chainForcedCount: bigint,
): bigint[] {
  const set = new Set<bigint>()
  for (const { checkpoint } of held)
    if (checkpoint.forcedCount < chainForcedCount) set.add(checkpoint.forcedCount)
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
