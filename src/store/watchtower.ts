import type { ChainView, Decision, HeldView } from '../chain/watchtower/decide.ts'
import { decideChallenge } from '../chain/watchtower/decide.ts'
import type { SignedCheckpoint } from '../core/checkpoint.ts'

/**
 * The app's watchtower, one step per poll of the chain: the decision is the chain layer's `decideChallenge` (the
 * contract's acceptance rule), this only adds that the app challenges a given on-chain proposal once. A held
 * checkpoint comes from this replica (`latestCertified()`), whose signatures the core already verified against the
 * channel's session keys, so every signature counts.
 */
export type TowerStep = {
  decision: Decision
  /** identifies the on-chain proposal and the checkpoint that would answer it */
  key: string
  /** send the challenge now: due and not tried yet for this key */
  send: boolean
}

export function heldView(cp: SignedCheckpoint | undefined): HeldView | undefined {
  return (
    cp && {
      version: cp.version,
      digest: cp.digest,
      validSignatures: cp.signatures.size,
      depositCount: cp.depositCount,
      forcedCount: cp.forcedCount,
    }
  )
}

export function towerStep(
  chain: ChainView,
  held: SignedCheckpoint | undefined,
  attempted: ReadonlySet<string>,
  /** a challenge with this many seconds or fewer left is `urgent` (sent without waiting for other towers) */
  marginSeconds = 0n,
): TowerStep {
  const decision = decideChallenge(chain, heldView(held), marginSeconds)
  const key = `${chain.version}:${chain.digest.toLowerCase()}→${held?.version ?? '-'}:${held?.digest.toLowerCase() ?? '-'}`
  return { decision, key, send: decision.action === 'challenge' && !attempted.has(key) }
}

/** What the tower did last about one proposal: shown under the panel. */
export type TowerAttempt =
  | { key: string; version: bigint; against: bigint; phase: 'sending' }
  | { key: string; version: bigint; against: bigint; phase: 'done'; tx: string }
  | { key: string; version: bigint; against: bigint; phase: 'failed'; error: string; tx?: string }

/** One line for the panel: what the chain holds, what this replica holds, and what the tower did or will do. */
export function towerText(step: TowerStep | undefined, last: TowerAttempt | undefined): string {
  if (last && (!step || last.key === step.key || last.phase !== 'failed')) {
    if (last.phase === 'sending') return `challenging v${last.against} on chain with v${last.version}…`
    if (last.phase === 'done') return `challenged v${last.against} with v${last.version} automatically`
    if (step?.key === last.key)
      return `challenge of v${last.against} with v${last.version} failed: ${last.error} (not retried automatically)`
  }
  if (!step) return 'watching the chain…'
  const d = step.decision
  if (d.action === 'challenge') return `v${d.version} would replace the chain's checkpoint: challenging…`
  if (d.action === 'too-late')
    return `the chain's checkpoint is older than v${d.version}, but its deadline has passed`
  switch (d.reason) {
    case 'no-proposal':
      return 'nothing proposed on chain'
    case 'finalized':
      return 'settlement finalized'
    case 'unknown-channel':
      return 'the chain does not know this channel yet'
    case 'nothing-held':
      return 'a proposal is pending; no certified checkpoint held here to answer it'
    case 'up-to-date':
      return 'the chain holds our newest certified checkpoint'
    case 'chain-newer':
      return 'the chain holds a newer checkpoint than ours'
    case 'chain-digest-lower':
      return 'the chain holds another checkpoint at our version, which the contract keeps'
    case 'held-lacks-quorum':
      return 'our newest checkpoint lacks a quorum of signatures'
    case 'held-counts-unknown-records':
      return 'our newest checkpoint credits records the chain does not have yet'
    case 'held-misses-overdue-forced':
      return 'our newest checkpoint leaves out a forced op past its inclusion delay: the contract would refuse it'
  }
}
