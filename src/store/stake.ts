import { getParticipantInfo } from '../chain/readers/getParticipantInfo.ts'
import type { ReadClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import type { Channel } from '../core/channel.ts'
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
 * The StakeAttest ops `me` owes, from the chain: reads (getParticipant) the bond of every participant the fold does
 * not count as bonded yet and hands them to `stakeAttestations`. Reads nothing in a channel without a minStake. The
 * browser runtime's `syncStake` and the headless agent both run it on each new block.
 */
export async function stakeAttestationsFromChain(
  client: ReadClient,
  channel: Channel,
  replica: StakeAttestSource,
  me: number,
): Promise<StakeAttestOp[]> {
  const stake = replica.state.stake
  if (!stake.required) return []
  const bonds = await Promise.all(
    channel.config.participants.map(async (p, i) =>
      stake.staked(i)
        ? 0n
        : (
            await getParticipantInfo(client, {
              address: channel.config.verifyingContract,
              channelId: toHex(channel.channelId),
              participant: p.address,
            })
          ).bond,
    ),
  )
  return stakeAttestations(replica, me, bonds, channel.config.params.minStake)
}

/** What the waiting message needs: who is not bonded yet, who "you" are, the minimum and how to name people. */
export type BondWait = {
  /** participants not bonded yet, ascending (the snapshot's `waitingForBonds`; empty once the channel is live) */
  waiting: readonly number[]
  me: number
  minStake: bigint
  /** display name per participant ('you' for `me`, a short address otherwise) */
  names: readonly string[]
  /** renders wei as ETH */
  formatEth: (wei: bigint) => string
}

/**
 * Why trading ops are refused under minStake (the fold rejects them with BondBelowMinStake or ChannelNotLive until
 * every participant is bonded), naming whom the channel waits for; undefined once it is live.
 */
export function stakeRefusal({ waiting, me, minStake, names, formatEth }: BondWait): string | undefined {
  if (waiting.length === 0) return undefined
  const eth = `${formatEth(minStake)} ETH`
  const label = (p: number) => (p === me ? `you (P${p})` : `P${p} (${names[p] ?? `#${p}`})`)
  const list = waiting.map(label)
  const whom = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`
  const own = waiting.includes(me)
    ? `; bond at least ${eth} in the Funds panel (Bond on chain), counted once q participants have read it on chain`
    : ''
  return `Trading opens when every participant has bonded ${eth}: waiting for ${whom}${own}`
}
