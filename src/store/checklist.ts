/**
 * The settlement checklist (issue 11 item 9): where a participant stands on the way deposit → trade → settle, and
 * what to do next, from facts the page already holds (its replica and the chain reads of the Settlement panel).
 * Pure: the panel computes the facts, this decides the steps.
 */

export type StepState = 'done' | 'current' | 'todo'
export type StepKey = 'deposit' | 'trade' | 'checkpoint' | 'propose' | 'finalize' | 'claim'
export type ChecklistStep = { key: StepKey; label: string; state: StepState; hint?: string }

export type ChecklistFacts = {
  /** this participant has funds credited inside the channel (a deposit reached q attestations) */
  deposited: boolean
  /** this participant took part in at least one trade */
  traded: boolean
  /** the newest checkpoint signed by a quorum (can go on chain), if any */
  certified: bigint | undefined
  /** that checkpoint pays this participant exactly its final holdings now (settlementPlan.checkpointCovers) */
  certifiedCoversYou: boolean
  /** the quorum and the participant count, for the hint */
  quorum: number
  participants: number
  /** the channel's settlement phase on chain; undefined (or 'unknown': not opened yet) until known */
  phase: 'unknown' | 'open' | 'disputing' | 'finalizable' | 'finalized' | undefined
  /** the checkpoint on chain (pending or final), 0 when none */
  onChainVersion: bigint
  /** seconds left to challenge while disputing */
  secondsLeft: bigint | undefined
  /** after finalization: tokens this participant is still owed (0: claimed everything); undefined: not read yet */
  unclaimed: number | undefined
}

const LABELS: Record<StepKey, string> = {
  deposit: 'Deposit',
  trade: 'Trade',
  checkpoint: 'Checkpoint signed',
  propose: 'Propose on chain',
  finalize: 'Finalize',
  claim: 'Claim and withdraw',
}

/**
 * The six steps with their state: every step before the first unfinished one is done, that one is current (with
 * what to do), the rest wait. Settlement started on chain (by anyone) completes the steps before it: once a
 * checkpoint is proposed, depositing or trading no longer can happen, so they read done or skipped.
 */
export function checklist(f: ChecklistFacts): ChecklistStep[] {
  const settling = f.phase === 'disputing' || f.phase === 'finalizable' || f.phase === 'finalized'
  const done: Record<StepKey, boolean> = {
    deposit: f.deposited || settling,
    trade: f.traded || settling,
    checkpoint: (f.certified !== undefined && f.certifiedCoversYou) || settling,
    propose: settling,
    finalize: f.phase === 'finalized',
    claim: f.phase === 'finalized' && f.unclaimed === 0,
  }
  const hints: Record<StepKey, string> = {
    deposit:
      'deposit tokens from your wallet in the Funds panel; they count once the participants attest them',
    trade: 'place an order: a limit order rests in the book, a market order fills against it',
    checkpoint: `${f.certified !== undefined ? 'your latest final balances are not in a signed checkpoint yet: ' : ''}click "Checkpoint now" (one is also taken every few seconds of activity): every participant signs it, ${f.quorum} of ${f.participants} signatures put it on chain`,
    propose: `propose v${f.certified ?? 0n} on chain: trading stops and the dispute window starts`,
    finalize:
      f.phase === 'finalizable'
        ? 'the dispute window has ended: anyone may finalize'
        : `wait for the dispute window${f.secondsLeft !== undefined ? ` (${f.secondsLeft} s left)` : ''}; a newer checkpoint may replace v${f.onChainVersion}`,
    claim:
      f.unclaimed === undefined
        ? 'reading what the contract still owes you…'
        : `claim and withdraw: ${f.unclaimed} token${f.unclaimed === 1 ? '' : 's'} still owed to you`,
  }
  const keys: StepKey[] = ['deposit', 'trade', 'checkpoint', 'propose', 'finalize', 'claim']
  let current = false
  return keys.map((key) => {
    if (done[key]) return { key, label: LABELS[key], state: 'done' }
    if (current) return { key, label: LABELS[key], state: 'todo' }
    current = true
    return { key, label: LABELS[key], state: 'current', hint: hints[key] }
  })
}
