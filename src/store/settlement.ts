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
import { bytesEqual, toHex } from '../core/bytes.ts'
import type { Checkpoint, SignedCheckpoint } from '../core/checkpoint.ts'
import type { Equivocation, Replica } from '../core/replica.ts'
import { balancesTree, exitProofs, stateRoot } from '../core/roots.ts'
import type { ChannelSession } from './session.ts'

/** What the settlement flows need: the channel's replica and session, and where its contract lives. */
export type SettlementContext = { replica: Replica; session: ChannelSession; contract: Hex; me: number }

const channelIdOf = (ctx: SettlementContext) => toHex(ctx.replica.channel.channelId)

export type SignCurrentCheckpointReturnType = {
  checkpoint: Checkpoint
  /** 'signed': a new checkpoint of this replica's cut; 'endorsed': co-signed a pending proposal for that version */
  how: 'signed' | 'endorsed'
}

/**
 * Signs the next checkpoint version (= next final version) and publishes the signature. If a peer already
 * proposed that version and its roots match this replica's fold of its cut, co-signs that one instead (what the
 * automatic endorsement would do a moment later): two competing cuts at one version could split the votes so
 * that neither ever reaches the threshold. Otherwise seals what is pending and signs everything this replica has.
 * Peers co-sign it when their own fold of that cut gives the same roots. Throws (a readable message) when this
 * participant already signed that version.
 */
export async function signCurrentCheckpoint(
  ctx: SettlementContext,
): Promise<SignCurrentCheckpointReturnType> {
  const r = ctx.replica
  const version = BigInt(r.finalCheckpoints.length + 1)
  const atVersion = r.checkpointTallies().filter((t) => t.version === version)
  const mine = atVersion.find((t) => t.signatures.has(ctx.me))
  if (mine)
    throw new Error(
      `you already signed v${version}: it has ${mine.signatures.size} of ${r.channel.config.threshold} signatures needed; peers co-sign it once they hold its blocks`,
    )
  for (const t of atVersion)
    if (r.endorse(t) === 'signed') {
      await ctx.session.flush()
      return { checkpoint: t, how: 'endorsed' }
    }
  // flush() seals the open batch synchronously, so the cut below has no pending ops (nothing can interleave)
  const sealed = ctx.session.flush()
  const cp = r.currentCheckpoint()
  r.signCheckpoint(cp)
  await sealed
  await ctx.session.flush()
  return { checkpoint: cp, how: 'signed' }
}

/** digests a replica refused to co-sign after finalization (roots differ from its fold): not re-checked */
const refusedFinal = new WeakMap<Replica, Set<string>>()

/** Whether this replica's fold of `cp`'s cut gives `cp`'s roots (what endorse checks before signing). */
function agrees(replica: Replica, cp: Checkpoint): boolean {
  const s = replica.stateOfCut(cp.heads)
  return (
    bytesEqual(stateRoot(s), cp.stateRoot) && bytesEqual(balancesTree(s, cp.version).root, cp.balancesRoot)
  )
}

/**
 * Co-signs every checkpoint proposal for the next version whose roots match this replica's fold of its cut, and
 * the latest final checkpoint if this participant has not signed it yet: a checkpoint is final at t signatures,
 * but an emergency exit needs all n, so honest participants keep co-signing it after it is final. Returns how
 * many it signed. Honest participants run this whenever new blocks arrive.
 */
export function endorsePending(ctx: SettlementContext): number {
  const r = ctx.replica
  let signed = 0
  for (const t of r.checkpointTallies()) if (!t.signatures.has(ctx.me) && r.endorse(t) === 'signed') signed++
  const last = proposable(r)
  let refused = refusedFinal.get(r)
  if (last && !last.signatures.has(ctx.me) && !refused?.has(last.digest)) {
    if (agrees(r, last))
      try {
        const { version, heads, stateRoot, balancesRoot } = last
        r.signCheckpoint({ version, heads, stateRoot, balancesRoot })
        signed++
      } catch {
        // this participant signed another digest at that version (it lost): never sign two
      }
    else {
      if (!refused) {
        refused = new Set()
        refusedFinal.set(r, refused)
      }
      refused.add(last.digest)
    }
  }
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

/**
 * The checkpoint the contract holds at `version` with `balancesRoot`, as this replica knows it (any tally: the
 * cut is what matters, not how many signatures arrived here). Pass the root read from the chain: two different
 * cuts may have been signed at one version.
 */
export function findCheckpoint(
  replica: Replica,
  version: bigint,
  balancesRoot?: Hex,
): SignedCheckpoint | undefined {
  const root = balancesRoot?.toLowerCase()
  return replica
    .checkpointTallies()
    .find(
      (t) => t.version === version && (root === undefined || toHex(t.balancesRoot).toLowerCase() === root),
    )
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
  const state = ctx.replica.stateOfCut(cp.heads)
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
