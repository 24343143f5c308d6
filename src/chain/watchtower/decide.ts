import type { Hex } from 'viem'
import { ChannelStatus } from '../types.ts'

/** What the chain says about the channel, read at one block (`now` is that block's timestamp). */
export type ChainView = {
  status: ChannelStatus
  /** version of the pending or final checkpoint (0 while open, and after an escape) */
  version: bigint
  /** EIP-712 digest of that checkpoint (zero while open) */
  digest: Hex
  /** unix seconds; challenges are accepted while `now < deadline` */
  deadline: bigint
  /** the chain's clock: the latest block's timestamp */
  now: bigint
  /** signatures the contract needs */
  threshold: number
  /** deposit / forced records the contract has: a checkpoint may not credit more */
  depositCount: bigint
  forcedCount: bigint
}

/** The newest checkpoint the tower holds, with how many of its signatures verify against the channel's keys. */
export type HeldView = {
  version: bigint
  digest: Hex
  /** distinct participants whose session-key signature over `digest` verifies */
  validSignatures: number
  depositCount: bigint
  forcedCount: bigint
  /**
   * When the first forced record the held checkpoint leaves out (index `forcedCount`, if the chain has it) becomes
   * overdue: its record time plus the channel's force-inclusion delay (unix seconds). Undefined when it leaves none
   * out.
   */
  excludedForcedDueAt?: bigint
}

export type NoActionReason =
  /** the contract does not know the channel */
  | 'unknown-channel'
  /** nothing proposed: there is nothing to challenge */
  | 'no-proposal'
  /** settlement is over */
  | 'finalized'
  /** the tower holds no checkpoint */
  | 'nothing-held'
  /** the held checkpoint has fewer valid signatures than the threshold: the contract would refuse it */
  | 'held-lacks-quorum'
  /** the held checkpoint credits deposit or forced records the contract does not have: it would be refused */
  | 'held-counts-unknown-records'
  /** the held checkpoint leaves out a forced record older than the force-inclusion delay: it would be refused */
  | 'held-misses-overdue-forced'
  /** the chain already has the held checkpoint */
  | 'up-to-date'
  /** the chain's checkpoint is newer than the held one */
  | 'chain-newer'
  /** same version, different digest, and the chain's digest is the lower one: the contract keeps it */
  | 'chain-digest-lower'

export type Decision =
  | { action: 'none'; reason: NoActionReason }
  /** propose the held checkpoint (version `version`) now; `urgent` when no more than the margin is left */
  | { action: 'challenge'; version: bigint; secondsLeft: bigint; urgent: boolean }
  /** the held checkpoint would have replaced the chain's, but the deadline has passed */
  | { action: 'too-late'; version: bigint }

/**
 * What a watchtower should do about one channel: challenge when the chain's pending proposal (a `propose`, an
 * `emergencyExit` or an escape at version 0) is older than the certified checkpoint it holds, before the deadline.
 * It mirrors the contract's acceptance rule and never proposes what the contract would refuse: a strictly higher
 * version, or the same version with a numerically lower digest (the contract's tie-break), with at least
 * `threshold` valid signatures and counts within what the contract recorded, no forced record left out that is older
 * than the force-inclusion delay, at `now < deadline`.
 * `marginSeconds` only marks a challenge `urgent`: the tower acts on the first poll that sees a stale proposal.
 */
export function decideChallenge(chain: ChainView, held: HeldView | undefined, marginSeconds = 0n): Decision {
  if (chain.status === ChannelStatus.None) return { action: 'none', reason: 'unknown-channel' }
  if (chain.status === ChannelStatus.Open) return { action: 'none', reason: 'no-proposal' }
  if (chain.status === ChannelStatus.Finalized) return { action: 'none', reason: 'finalized' }
  // Closing: a proposal, an exit or an escape is pending
  if (!held) return { action: 'none', reason: 'nothing-held' }
  if (held.version < chain.version) return { action: 'none', reason: 'chain-newer' }
  if (held.version === chain.version) {
    const ours = BigInt(held.digest)
    const theirs = BigInt(chain.digest)
    if (ours === theirs) return { action: 'none', reason: 'up-to-date' }
    if (ours > theirs) return { action: 'none', reason: 'chain-digest-lower' }
  }
  if (held.validSignatures < chain.threshold) return { action: 'none', reason: 'held-lacks-quorum' }
  if (held.depositCount > chain.depositCount || held.forcedCount > chain.forcedCount)
    return { action: 'none', reason: 'held-counts-unknown-records' }
  // the contract's forced-inclusion rule (ChannelSettlementForcedOpExcluded)
  if (held.excludedForcedDueAt !== undefined && chain.now >= held.excludedForcedDueAt)
    return { action: 'none', reason: 'held-misses-overdue-forced' }
  if (chain.now >= chain.deadline) return { action: 'too-late', version: held.version }
  const secondsLeft = chain.deadline - chain.now
  return { action: 'challenge', version: held.version, secondsLeft, urgent: secondsLeft <= marginSeconds }
}
