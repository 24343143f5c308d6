import type { Hash, Hex } from 'viem'
import { readContract } from 'viem/actions'
import { slashCensorship } from '../chain/actions/slashCensorship.ts'
import { slashStaleProposal } from '../chain/actions/slashStaleProposal.ts'
import { channelSettlementAbi } from '../chain/generated/abis.ts'
import { getParticipantInfo } from '../chain/readers/getParticipantInfo.ts'
import { type PendingProposal, readPendingProposal } from '../chain/readers/readPendingProposal.ts'
import type { ChannelInfo, ReadClient, WriteClient } from '../chain/types.ts'
import {
  type CensorshipEvidence,
  censorshipEvidence,
  censorshipIndexes,
  decideStaleSlash,
  type StaleSlashDecision,
} from '../chain/watchtower/decideSlash.ts'
import { toHex } from '../core/bytes.ts'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import type { Replica } from '../core/replica.ts'
import type { SettlementContext } from './settlement.ts'

/** What the app's watchtower did about one slash: shown under the panel. */
export type TowerSlash = {
  key: string
  offence: 'stale-proposal' | 'checkpoint-conflict' | 'censorship'
  offender: number
  phase: 'sending' | 'done' | 'failed'
  tx?: string
  error?: string
}

/** One line for the panel. */
export function slashText(s: TowerSlash, nameOf: (index: number) => string): string {
  const what =
    s.offence === 'stale-proposal'
      ? `${nameOf(s.offender)} for proposing an older checkpoint than one it signed`
      : s.offence === 'censorship'
        ? `${nameOf(s.offender)} for signing a checkpoint that leaves out a due forced op`
        : `${nameOf(s.offender)} for signing two checkpoints at one version`
  if (s.phase === 'sending') return `slashing ${what}…`
  if (s.phase === 'done') return `slashed ${what}`
  return `slashing ${what} failed: ${s.error}`
}

/** Reads what the stale-proposal slash needs; `proposals` caches who proposed each pending digest and when. */
export async function staleSlashFor(
  read: ReadClient,
  ctx: SettlementContext,
  info: ChannelInfo,
  now: bigint,
  /** the held checkpoint with only the signatures the contract accepts (chainSignatures.ts) */
  held: SignedCheckpoint,
  proposals: Map<string, PendingProposal>,
): Promise<StaleSlashDecision> {
  const channelId = toHex(ctx.replica.channel.channelId) as Hex
  const digest = info.checkpoint.digest.toLowerCase()
  // nothing to read unless the held checkpoint is newer than a pending one
  if (info.checkpoint.version === 0n || held.version <= info.checkpoint.version)
    return { slash: false, reason: 'held-not-newer' }
  let pending = proposals.get(digest)
  if (!pending) {
    pending = await readPendingProposal(read, {
      address: ctx.contract,
      channelId,
      digest: info.checkpoint.digest,
    })
    if (!pending) return { slash: false, reason: 'no-proposal' }
    proposals.set(digest, pending)
  }
  const submitter = pending.submitter.toLowerCase()
  const proposer = info.participants.findIndex((p) => p.toLowerCase() === submitter)
  const [delay, member] = await Promise.all([
    readContract(read, {
      address: ctx.contract,
      abi: channelSettlementAbi,
      functionName: 'forceInclusionDelay',
      args: [channelId],
    }),
    proposer < 0
      ? undefined
      : getParticipantInfo(read, {
          address: ctx.contract,
          channelId,
          participant: info.participants[proposer]!,
        }),
  ])
  return decideStaleSlash(
    {
      status: info.status as StaleSlashParams['status'],
      version: info.checkpoint.version,
      digest: info.checkpoint.digest,
      proposer: proposer < 0 ? undefined : proposer,
      proposedAt: pending.proposedAt,
      forceInclusionDelay: delay,
      proposerSlashed: member?.slashed === true,
      now,
      evidenceClosesAt: info.deadline + info.disputeWindow,
      threshold: info.threshold,
    },
    held,
    new Set(held.signatures.keys()),
  )
}
type StaleSlashParams = Parameters<typeof decideStaleSlash>[0]

/** slashStaleProposal with the held checkpoint (only signatures the contract accepts). */
export function slashStaleOnChain(
  client: WriteClient,
  ctx: SettlementContext,
  held: SignedCheckpoint,
): Promise<Hash> {
  return slashStaleProposal(client, {
    address: ctx.contract,
    channelId: toHex(ctx.replica.channel.channelId) as Hex,
    checkpoint: held,
    signatures: held.signatures,
  })
}

/**
 * Censorship evidence among the checkpoints this replica computed: a participant's signature on one that leaves out
 * a forced record the chain holds although it was due at the checkpoint's time (`censorshipEvidence`). Reads the
 * chain time of each first-left-out record once (`recordTimes` caches them: they never change), the delay, and
 * whether each offender is slashed already.
 */
export async function censorshipSlashesFor(
  read: ReadClient,
  ctx: SettlementContext,
  replica: Pick<Replica, 'heldCheckpoints'>,
  info: ChannelInfo,
  recordTimes: Map<bigint, bigint>,
): Promise<CensorshipEvidence[]> {
  const held = replica
    .heldCheckpoints()
    .filter((cp) => cp.forcedCount < info.forcedCount && cp.signatures.size > 0)
    .map((checkpoint) => ({ checkpoint, valid: checkpoint.signatures }))
  if (held.length === 0) return []
  const channelId = toHex(ctx.replica.channel.channelId) as Hex
  for (const index of censorshipIndexes(held, info.forcedCount))
    if (!recordTimes.has(index)) {
      const record = await readContract(read, {
        address: ctx.contract,
        abi: channelSettlementAbi,
        functionName: 'getForcedOp',
        args: [channelId, index],
      })
      recordTimes.set(index, record.time)
    }
  const delay = await readContract(read, {
    address: ctx.contract,
    abi: channelSettlementAbi,
    functionName: 'forceInclusionDelay',
    args: [channelId],
  })
  const found = censorshipEvidence(
    held,
    info.forcedCount,
    (i) => recordTimes.get(i),
    delay,
    () => false,
  )
  // the contract slashes a participant once: leave out those it already did
  const members = await Promise.all(
    found.map((e) =>
      getParticipantInfo(read, {
        address: ctx.contract,
        channelId,
        participant: info.participants[e.offender]!,
      }),
    ),
  )
  return found.filter((_, k) => !members[k]!.slashed)
}

/** slashCensorship with one piece of evidence. */
export function slashCensorshipOnChain(
  client: WriteClient,
  ctx: SettlementContext,
  e: CensorshipEvidence,
): Promise<Hash> {
  return slashCensorship(client, {
    address: ctx.contract,
    channelId: toHex(ctx.replica.channel.channelId) as Hex,
    checkpoint: e.checkpoint,
    signature: e.signature,
    index: e.index,
  })
}
