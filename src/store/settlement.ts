import type { Hash, Hex } from 'viem'
import { claimExit } from '../chain/actions/claimExit.ts'
import { emergencyExit } from '../chain/actions/emergencyExit.ts'
import { finalizeChannel } from '../chain/actions/finalizeChannel.ts'
import { proposeCheckpoint } from '../chain/actions/proposeCheckpoint.ts'
import { slashEquivocation } from '../chain/actions/slashEquivocation.ts'
import { withdraw } from '../chain/actions/withdraw.ts'
import { getOwed } from '../chain/readers/getOwed.ts'
import type { WriteClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import type { Checkpoint, SignedCheckpoint } from '../core/checkpoint.ts'
import type { Equivocation, Replica } from '../core/replica.ts'
import { exitProofs } from '../core/roots.ts'
import type { ChannelSession } from './session.ts'

/** What the settlement flows need: the channel's replica and session, and where its contract lives. */
export type SettlementContext = { replica: Replica; session: ChannelSession; contract: Hex; me: number }

const channelIdOf = (ctx: SettlementContext) => toHex(ctx.replica.channel.channelId)

/**
 * Seals what is pending, signs a checkpoint of everything this replica has (version = next final version) and
 * publishes the signature. Peers co-sign it when their own fold of that cut gives the same roots.
 */
export async function signCurrentCheckpoint(ctx: SettlementContext): Promise<Checkpoint> {
  await ctx.session.flush()
  const cp = ctx.replica.currentCheckpoint()
  ctx.replica.signCheckpoint(cp)
  await ctx.session.flush()
  return cp
}

/**
 * Co-signs every checkpoint proposal for the next version whose roots match this replica's fold of its cut.
 * Returns how many it signed. Honest participants run this whenever new blocks arrive.
 */
export function endorsePending(ctx: SettlementContext): number {
  let signed = 0
  for (const t of ctx.replica.checkpointTallies())
    if (!t.signatures.has(ctx.me) && ctx.replica.endorse(t) === 'signed') signed++
  if (signed > 0) void ctx.session.flush()
  return signed
}

/** The highest checkpoint with signatures from at least t participants: what can be proposed or challenge with. */
export function proposable(replica: Replica): SignedCheckpoint | undefined {
  return replica.finalCheckpoints[replica.finalCheckpoints.length - 1]
}

/** A checkpoint every participant signed: what an emergency exit needs before finalization. */
export function fullySigned(replica: Replica): SignedCheckpoint | undefined {
  return replica.checkpointTallies().find((t) => t.signatures.size === replica.n)
}

export function proposeOnChain(
  client: WriteClient,
  ctx: SettlementContext,
  cp: SignedCheckpoint,
): Promise<Hash> {
  return proposeCheckpoint(client, {
    address: ctx.contract,
    channelId: channelIdOf(ctx),
    checkpoint: cp,
    signatures: cp.signatures,
  })
}

export function finalizeOnChain(client: WriteClient, ctx: SettlementContext): Promise<Hash> {
  return finalizeChannel(client, { address: ctx.contract, channelId: channelIdOf(ctx) })
}

/** The checkpoint the contract finalized at `version` with `balancesRoot`, as this replica knows it. */
export function findCheckpoint(
  replica: Replica,
  version: bigint,
  balancesRoot?: Hex,
): SignedCheckpoint | undefined {
  return replica
    .checkpointTallies()
    .find(
      (t) => t.version === version && (balancesRoot === undefined || toHex(t.balancesRoot) === balancesRoot),
    )
}

/** Claims every token the local participant holds in `cp` (one transaction per token), then nothing else. */
export async function claimAll(client: WriteClient, ctx: SettlementContext, cp: Checkpoint): Promise<Hash[]> {
  const state = ctx.replica.stateOfCut(cp.heads)
  const hashes: Hash[] = []
  for (const proof of exitProofs(state, cp.version, ctx.me))
    hashes.push(await claimExit(client, { address: ctx.contract, channelId: channelIdOf(ctx), proof }))
  return hashes
}

/** Exits alone against a fully signed checkpoint: one transaction per token held in it. */
export async function exitAlone(
  client: WriteClient,
  ctx: SettlementContext,
  cp: SignedCheckpoint,
): Promise<Hash[]> {
  const state = ctx.replica.stateOfCut(cp.heads)
  const hashes: Hash[] = []
  for (const proof of exitProofs(state, cp.version, ctx.me))
    hashes.push(
      await emergencyExit(client, {
        address: ctx.contract,
        channelId: channelIdOf(ctx),
        checkpoint: cp,
        signatures: cp.signatures,
        proof,
      }),
    )
  return hashes
}

/** Pulls every token the contract owes the connected account. */
export async function withdrawAll(client: WriteClient, ctx: SettlementContext): Promise<Hash[]> {
  const hashes: Hash[] = []
  for (const token of ctx.replica.channel.config.tokens) {
    const owed = await getOwed(client, { address: ctx.contract, account: client.account.address, token })
    if (owed > 0n) hashes.push(await withdraw(client, { address: ctx.contract, token }))
  }
  return hashes
}

export function slashOnChain(client: WriteClient, ctx: SettlementContext, e: Equivocation): Promise<Hash> {
  return slashEquivocation(client, { address: ctx.contract, equivocation: e })
}
