import { type Op, OpTag, type StakeAttestOp } from '../core/ops.ts'

/** What the store needs of a replica to decide which bonds to attest. */
export type StakeAttestSource = {
  readonly state: { readonly stake: { readonly required: boolean; staked(p: number): boolean } }
  readonly order: readonly { readonly author: number; readonly block: { readonly ops: readonly Op[] } }[]
  batchedOps(): readonly Op[]
}

/**
 * The StakeAttest ops participant `me` still owes (issue #12, minStake): one per participant whose bond read on
 * chain (`bonds[p]`, from getParticipant) reaches `minStake`, that the fold does not let trade yet, and that `me`
 * has not attested already (in one of its blocks or its open batch). None in a channel without a minStake.
 */
export function stakeAttestations(
  replica: StakeAttestSource,
  me: number,
  bonds: readonly bigint[],
  minStake: bigint,
): StakeAttestOp[] {
  if (!replica.state.stake.required || minStake <= 0n) return []
  const attested = new Set<number>()
  for (const n of replica.order)
    if (n.author === me)
      for (const op of n.block.ops) if (op.tag === OpTag.StakeAttest) attested.add(op.participant)
  for (const op of replica.batchedOps()) if (op.tag === OpTag.StakeAttest) attested.add(op.participant)
  const out: StakeAttestOp[] = []
  bonds.forEach((bond, p) => {
    if (bond >= minStake && !replica.state.stake.staked(p) && !attested.has(p))
      out.push({ tag: OpTag.StakeAttest, participant: p })
  })
  return out
}

/**
 * Why this participant's orders are refused under minStake (the fold rejects them with BondBelowMinStake), or
 * undefined when it may trade. `formatEth` renders wei as ETH.
 */
export function stakeRefusal(
  mayTrade: boolean,
  minStake: bigint,
  formatEth: (wei: bigint) => string,
): string | undefined {
  if (mayTrade) return undefined
  return `bond at least ${formatEth(minStake)} ETH first (Funds panel: Bond on chain); orders are refused until q participants have seen it on chain`
}
