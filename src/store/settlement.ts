import { type Hash, type Hex, zeroAddress } from 'viem'
import { readContract } from 'viem/actions'
import { bondStake } from '../chain/actions/bondStake.ts'
import { claimAndWithdraw } from '../chain/actions/claimAndWithdraw.ts'
import { confirmTransaction } from '../chain/actions/confirmTransaction.ts'
import { emergencyExit } from '../chain/actions/emergencyExit.ts'
import { escapeChannel } from '../chain/actions/escapeChannel.ts'
import { finalizeChannel } from '../chain/actions/finalizeChannel.ts'
import { proposeCheckpoint } from '../chain/actions/proposeCheckpoint.ts'
import { refundDeposit } from '../chain/actions/refundDeposit.ts'
import { releaseBond } from '../chain/actions/releaseBond.ts'
import { slashCheckpointConflict } from '../chain/actions/slashCheckpointConflict.ts'
import { slashEquivocation } from '../chain/actions/slashEquivocation.ts'
import { withdraw } from '../chain/actions/withdraw.ts'
import { channelSettlementAbi } from '../chain/generated/abis.ts'
import { getDisputeStatus } from '../chain/readers/getDisputeStatus.ts'
import { getOwed } from '../chain/readers/getOwed.ts'
import type { ReadClient, WriteClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import type { Checkpoint, SignedCheckpoint } from '../core/checkpoint.ts'
import { OpTag } from '../core/ops.ts'
import type { CheckpointConflict, Equivocation, Replica } from '../core/replica.ts'
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
  const version = ctx.replica.latestCheckpointVersion + 1n
  ctx.session.submit({ tag: OpTag.CheckpointRequest })
  await ctx.session.flush()
  return version
}

/** The newest checkpoint with signatures from at least q participants: what can be proposed or challenge with. */
export function proposable(replica: Replica): SignedCheckpoint | undefined {
  return replica.latestCertified()
}

/** The newest checkpoint every participant signed (an exit needs only a quorum now: see `proposable`). */
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

/** A finalize when the channel is already final on chain: another participant's finalize came first. */
export class AlreadyFinalizedError extends Error {
  override name = 'AlreadyFinalizedError'
  constructor() {
    super('already finalized (another participant’s transaction came first)')
  }
}

/**
 * Finalizes and waits for the receipt. When it fails and the chain says the channel is finalized, another
 * participant's finalize came first — refused at simulation, or mined ahead of ours in the same block, where the
 * replay of ours against the block before cannot say why it reverted ("UnknownRevert"): AlreadyFinalizedError.
 */
export async function finalizeAndConfirm(
  client: WriteClient,
  ctx: SettlementContext,
  onSent: OnSent,
): Promise<void> {
  try {
    const hash = await finalizeOnChain(client, ctx)
    onSent(hash)
    await confirmTransaction(client, { hash })
  } catch (e) {
    const now = await getDisputeStatus(client, { address: ctx.contract, channelId: channelIdOf(ctx) }).catch(
      () => undefined,
    )
    if (now?.phase === 'finalized') throw new AlreadyFinalizedError()
    throw e
  }
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
  const cp = replica.checkpoint(version)
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

/** Exit proofs of the local participant (wallet `account`) in `cp` for the tokens the contract has not paid it yet. */
async function unsettledProofs(client: ReadClient, ctx: SettlementContext, cp: Checkpoint, account: Hex) {
  const state = ctx.replica.stateOfCheckpoint(cp.version)
  const out = []
  for (const proof of exitProofs(state, cp.version, ctx.me))
    if (!(await isSettled(client, ctx, account, proof.leaf.token))) out.push(proof)
  return out
}

/** How many tokens the finalized checkpoint `cp` still owes the local participant (0: it claimed everything). */
export async function unclaimedTokens(
  client: ReadClient,
  ctx: SettlementContext,
  cp: Checkpoint,
): Promise<number> {
  const account = ctx.replica.channel.config.participants[ctx.me]!.address
  return (await unsettledProofs(client, ctx, cp, account)).length
}

/** Called with each transaction hash as soon as the wallet returned it (before it is mined). */
export type OnSent = (hash: Hash) => void

/** A claim when the contract already paid every token this participant holds in the finalized checkpoint. */
export class AlreadyClaimedError extends Error {
  override name = 'AlreadyClaimedError'
  constructor() {
    super('already claimed')
  }
}

/**
 * Claims and withdraws, one `claimAndWithdraw` transaction per token the local participant holds in the finalized
 * checkpoint `cp` and has not been paid yet. Throws AlreadyClaimedError when nothing is left to claim.
 */
export async function claimAndWithdrawAll(
  client: WriteClient,
  ctx: SettlementContext,
  cp: Checkpoint,
  onSent?: OnSent,
): Promise<Hash[]> {
  const proofs = await unsettledProofs(client, ctx, cp, client.account.address)
  if (proofs.length === 0) throw new AlreadyClaimedError()
  const hashes: Hash[] = []
  for (const proof of proofs) {
    const hash = await claimAndWithdraw(client, { address: ctx.contract, channelId: channelIdOf(ctx), proof })
    onSent?.(hash)
    hashes.push(hash)
  }
  return hashes
}

/**
 * Exits alone with a quorum-signed checkpoint that holds the local participant's leaf: one transaction that
 * proposes `cp` on chain (or joins the settlement under way). It pays nothing now: the participant is paid its
 * leaf of whichever checkpoint finalizes, by a claim after finalization.
 */
export async function exitAlone(
  client: WriteClient,
  ctx: SettlementContext,
  cp: SignedCheckpoint,
): Promise<Hash> {
  const proof = exitProofs(ctx.replica.stateOfCheckpoint(cp.version), cp.version, ctx.me).find(
    (p) => p.leaf.amount > 0n,
  )
  if (!proof) throw new Error(`you hold nothing in v${cp.version}: there is nothing to exit with`)
  return emergencyExit(client, {
    address: ctx.contract,
    channelId: channelIdOf(ctx),
    checkpoint: cp,
    signatures: cp.signatures,
    proof,
  })
}

/** Pays a deposit record the finalized checkpoint does not credit back to its depositor (anyone may send it). */
export function refundOnChain(client: WriteClient, ctx: SettlementContext, index: bigint): Promise<Hash> {
  return refundDeposit(client, { address: ctx.contract, channelId: channelIdOf(ctx), index })
}

/** The liveness escape: ends trading with no checkpoint and a long deadline (see escapeChannel). */
export function escapeOnChain(client: WriteClient, ctx: SettlementContext): Promise<Hash> {
  return escapeChannel(client, { address: ctx.contract, channelId: channelIdOf(ctx) })
}

/** Moves the local participant's remaining bond to its ETH pull balance (after `bondsUnlockAt`). */
export function releaseBondOnChain(client: WriteClient, ctx: SettlementContext): Promise<Hash> {
  return releaseBond(client, { address: ctx.contract, channelId: channelIdOf(ctx) })
}

/** Slashes a participant that signed two checkpoints at one version (evidence from `checkpointConflicts`). */
export function slashConflictOnChain(
  client: WriteClient,
  ctx: SettlementContext,
  conflict: CheckpointConflict,
): Promise<Hash> {
  return slashCheckpointConflict(client, { address: ctx.contract, channelId: channelIdOf(ctx), conflict })
}

/** One entry per offender: the first provable conflict (two signed checkpoints) of each author. */
export function provableConflicts(list: readonly CheckpointConflict[]): CheckpointConflict[] {
  const seen = new Set<number>()
  return list.filter((c) => c.b !== undefined && !seen.has(c.author) && seen.add(c.author))
}

/**
 * Pulls every token the contract owes the connected account: the channel's tokens and ETH (slash shares and
 * released bonds are paid in ETH).
 */
export async function withdrawAll(
  client: WriteClient,
  ctx: SettlementContext,
  onSent?: OnSent,
): Promise<Hash[]> {
  const hashes: Hash[] = []
  const tokens = new Set<Hex>([
    ...ctx.replica.channel.config.tokens.map((t) => t.toLowerCase() as Hex),
    zeroAddress,
  ])
  for (const token of tokens) {
    const owed = await getOwed(client, { address: ctx.contract, account: client.account.address, token })
    if (owed > 0n) {
      const hash = await withdraw(client, { address: ctx.contract, token })
      onSent?.(hash)
      hashes.push(hash)
    }
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
