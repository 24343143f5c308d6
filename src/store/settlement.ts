import { type Hash, type Hex, zeroAddress } from 'viem'
import { readContract } from 'viem/actions'
import { bondStake } from '../chain/actions/bondStake.ts'
import { claimExit } from '../chain/actions/claimExit.ts'
import { emergencyExit } from '../chain/actions/emergencyExit.ts'
import { finalizeChannel } from '../chain/actions/finalizeChannel.ts'
import { proposeCheckpoint } from '../chain/actions/proposeCheckpoint.ts'
import { slashEquivocation } from '../chain/actions/slashEquivocation.ts'
import { withdraw } from '../chain/actions/withdraw.ts'
import { channelSettlementAbi } from '../chain/generated/abis.ts'
import { getOwed } from '../chain/readers/getOwed.ts'
import type { ReadClient, WriteClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import type { Checkpoint, SignedCheckpoint } from '../core/checkpoint.ts'
import { OpTag } from '../core/ops.ts'
import type { Equivocation, Replica } from '../core/replica.ts'
import { exitProofs } from '../core/roots.ts'
import type { ChannelSession } from './session.ts'

/** What the settlement flows need: the channel's replica and session, and where its contract lives. */
export type SettlementContext = { replica: Replica; session: ChannelSession; contract: Hex; me: number }

const channelIdOf = (ctx: SettlementContext) => toHex(ctx.replica.channel.channelId)

/**
 * Asks for a checkpoint now: submits a CheckpointRequest op. Once the leader whose history holds it commits,
 * every honest replica computes the same checkpoint and signs it automatically; it can go on chain once q
 * participants' signatures arrived (see latestCertified). Returns the version it will get at the earliest.
 */
export async function requestCheckpoint(ctx: SettlementContext): Promise<bigint> {
  const version = BigInt(ctx.replica.checkpoints.length + 1)
  ctx.session.submit({ tag: OpTag.CheckpointRequest })
  await ctx.session.flush()
  return version
}

/** The newest checkpoint with signatures from at least q participants: what can be proposed or challenge with. */
export function proposable(replica: Replica): SignedCheckpoint | undefined {
  return replica.latestCertified()
}

/** The newest checkpoint every participant signed: what an emergency exit needs before finalization. */
export function fullySigned(replica: Replica): SignedCheckpoint | undefined {
  return replica.latestFullySigned()
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

/**
 * The checkpoint this replica computed at `version`, if the contract's `balancesRoot` (read from the chain) is
 * its root: every honest replica computes one checkpoint per version, so another root means it is not ours.
 */
export function findCheckpoint(
  replica: Replica,
  version: bigint,
  balancesRoot?: Hex,
): SignedCheckpoint | undefined {
  const cp = replica.checkpoints[Number(version) - 1]
  if (!cp) return undefined
  if (balancesRoot !== undefined && toHex(cp.balancesRoot).toLowerCase() !== balancesRoot.toLowerCase())
    return undefined
  return cp
}

/** Whether the contract already paid `account` its `token` from this channel (claim or emergency exit). */
export function isSettled(
  client: ReadClient,
  ctx: SettlementContext,
  account: Hex,
  token: Hex,
): Promise<boolean> {
  return readContract(client, {
    address: ctx.contract,
    abi: channelSettlementAbi,
    functionName: 'isSettled',
    args: [channelIdOf(ctx), account, token],
  })
}

/** Exit proofs of the local participant in `cp` for the tokens the contract has not paid it yet. */
async function unsettledProofs(client: WriteClient, ctx: SettlementContext, cp: Checkpoint) {
  const state = ctx.replica.stateOfCheckpoint(cp.version)
  const out = []
  for (const proof of exitProofs(state, cp.version, ctx.me))
    if (!(await isSettled(client, ctx, client.account.address, proof.leaf.token))) out.push(proof)
  return out
}

/**
 * Claims every token the local participant holds in `cp` (one transaction per token), skipping tokens already
 * paid, so a retry after a partial failure does not revert with AlreadySettled.
 */
export async function claimAll(client: WriteClient, ctx: SettlementContext, cp: Checkpoint): Promise<Hash[]> {
  const hashes: Hash[] = []
  for (const proof of await unsettledProofs(client, ctx, cp))
    hashes.push(await claimExit(client, { address: ctx.contract, channelId: channelIdOf(ctx), proof }))
  return hashes
}

/** Exits alone against a fully signed checkpoint: one transaction per token held in it and not paid yet. */
export async function exitAlone(
  client: WriteClient,
  ctx: SettlementContext,
  cp: SignedCheckpoint,
): Promise<Hash[]> {
  const hashes: Hash[] = []
  for (const proof of await unsettledProofs(client, ctx, cp))
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

/**
 * Pulls every token the contract owes the connected account: the channel's tokens and ETH (slash shares and
 * released bonds are paid in ETH).
 */
export async function withdrawAll(client: WriteClient, ctx: SettlementContext): Promise<Hash[]> {
  const hashes: Hash[] = []
  const tokens = new Set<Hex>([
    ...ctx.replica.channel.config.tokens.map((t) => t.toLowerCase() as Hex),
    zeroAddress,
  ])
  for (const token of tokens) {
    const owed = await getOwed(client, { address: ctx.contract, account: client.account.address, token })
    if (owed > 0n) hashes.push(await withdraw(client, { address: ctx.contract, token }))
  }
  return hashes
}

/** Adds `amount` wei to the local participant's bond: what a slash for equivocation would take. */
export function bondOnChain(client: WriteClient, ctx: SettlementContext, amount: bigint): Promise<Hash> {
  return bondStake(client, { address: ctx.contract, channelId: channelIdOf(ctx), amount })
}

export function slashOnChain(client: WriteClient, ctx: SettlementContext, e: Equivocation): Promise<Hash> {
  return slashEquivocation(client, { address: ctx.contract, equivocation: e })
}
