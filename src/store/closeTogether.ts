import { type Hash, type Hex, zeroHash } from 'viem'
import { getChainId } from 'viem/actions'
import { closeCooperatively } from '../chain/actions/closeCooperatively.ts'
import type { DisputePhase } from '../chain/readers/getDisputeStatus.ts'
import { type ChannelInfo, ChannelStatus, type WriteClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import { CLOSE_REFUSAL_TEXT, type CloseRefusal, closeRefusal } from '../core/close.ts'
import { type CloseProgress, closeIsCurrent, closeProgress } from '../core/closeProgress.ts'
import type { Replica } from '../core/replica.ts'
import { balanceLeaves } from '../core/roots.ts'
import { WrongChainError } from './forceOnChain.ts'
import type { SettlementContext } from './settlement.ts'

/**
 * "Close together" (cooperative close, issue #12), the participant's side: any participant asks to close at the
 * newest checkpoint by signing its Close (a Close op through the channel, signed by the session key: no wallet
 * prompt); every other participant signs the same close with one click; once all n signed anyone submits
 * `closeCooperatively`, final at once and, for small channels, every leaf paid in the same transaction. Which close
 * is current and whether this replica may sign it are the core's rules (closeProgress.ts, close.ts); this file adds
 * what the chain, the tab and the wallet allow.
 */

/** What the chain says, as far as a close is concerned (the Settlement panel's poll). */
export type CloseChain = {
  phase: DisputePhase
  /** pending or final checkpoint version (0 while open) */
  version: bigint
  /** finalized by `closeCooperatively` with every leaf paid (no root kept): see closedTogether */
  closedTogether: boolean
}

export type CloseStep =
  /** nothing to close at now, or the chain no longer takes a close */
  | { phase: 'unavailable'; reason: string }
  /** nobody asked (or the last request was superseded): this participant may ask to close at `version` */
  | { phase: 'offered'; version: bigint; supersedes?: bigint; signBlocked?: string }
  /** the close of `version` gathers signatures: k = signed.length of n */
  | {
      phase: 'waiting'
      version: bigint
      requestedBy: number
      signed: number[]
      missing: number[]
      participants: number
      /** this participant signed it */
      mine: boolean
      /** why this participant cannot sign it here (the core's refusal, a read-only tab), if so */
      signBlocked?: string
    }
  /** every participant signed: anyone may submit (unless `submitBlocked`) */
  | { phase: 'ready'; version: bigint; participants: number; submitBlocked?: string }
  /** the close transaction is sent and not mined into a finalized channel yet */
  | { phase: 'submitted'; version: bigint; hash: Hash }
  /** the chain finalized the channel with a cooperative close at `version`, every leaf paid */
  | { phase: 'closed'; version: bigint }

export const READ_ONLY_TEXT = 'the other tab of this channel holds the session key and signs'

export type CloseStepInput = {
  progress: CloseProgress | undefined
  /** why this replica must not sign progress.request (core closeRefusal), when it has not signed it */
  refusal: CloseRefusal | undefined
  /** newest checkpoint version this replica computed (0n: none) */
  newest: bigint
  /** whether that checkpoint holds every final op (closeIsCurrent) */
  newestCurrent: boolean
  me: number
  participants: number
  chain: CloseChain | undefined
  readOnly: boolean
  /** the connected wallet's chain id, undefined with no wallet */
  walletChain: number | undefined
  channelChain: bigint
  /** the close transaction this page sent, if any */
  submitted: { version: bigint; hash: Hash } | undefined
}

/** What the Close together section shows and allows (pure; see CloseStep). */
export function closeStep(p: CloseStepInput): CloseStep {
  const { chain, progress } = p
  if (!chain || chain.phase === 'unknown') return { phase: 'unavailable', reason: 'reading the chain…' }
  if (chain.phase === 'finalized')
    return chain.closedTogether
      ? { phase: 'closed', version: chain.version }
      : { phase: 'unavailable', reason: `settlement finalized v${chain.version}: each participant claims` }
  if (p.submitted) return { phase: 'submitted', ...p.submitted }
  if (chain.phase === 'finalizable')
    return { phase: 'unavailable', reason: 'the dispute window has ended: finalize instead' }
  // a close below the pending proposal's version reverts (StaleVersion)
  const belowPending = (v: bigint) =>
    chain.phase === 'disputing' && v < chain.version
      ? `v${chain.version} is proposed on chain: a close must be at that version or newer`
      : undefined
  const r = progress?.request
  if (progress && r && progress.ours && !progress.superseded) {
    if (progress.missing.length === 0) {
      const wrongChain =
        p.walletChain !== undefined && BigInt(p.walletChain) !== p.channelChain
          ? new WrongChainError(p.walletChain, p.channelChain).message
          : undefined
      const submitBlocked = belowPending(r.version) ?? wrongChain
      return {
        phase: 'ready',
        version: r.version,
        participants: p.participants,
        ...(submitBlocked ? { submitBlocked } : {}),
      }
    }
    const mine = progress.signed.includes(p.me)
    const signBlocked = mine
      ? undefined
      : p.readOnly
        ? READ_ONLY_TEXT
        : (belowPending(r.version) ?? (p.refusal && CLOSE_REFUSAL_TEXT[p.refusal]))
    return {
      phase: 'waiting',
      version: r.version,
      requestedBy: r.requestedBy,
      signed: progress.signed,
      missing: progress.missing,
      participants: p.participants,
      mine,
      ...(signBlocked ? { signBlocked } : {}),
    }
  }
  // a request for a checkpoint this replica has not computed yet: it is behind, and waits
  if (progress && r && !progress.ours && r.version > p.newest)
    return {
      phase: 'waiting',
      version: r.version,
      requestedBy: r.requestedBy,
      signed: progress.signed,
      missing: progress.missing,
      participants: p.participants,
      mine: false,
      signBlocked: CLOSE_REFUSAL_TEXT['not-computed'],
    }
  const supersedes = progress?.ours && progress.superseded ? r?.version : undefined
  if (p.newest === 0n)
    return {
      phase: 'unavailable',
      reason: 'no checkpoint yet: ask for one (Checkpoint now), then close at it',
    }
  if (!p.newestCurrent)
    return {
      phase: 'unavailable',
      reason: `${supersedes !== undefined ? `the close at v${supersedes} was superseded: ` : ''}trades after v${p.newest} are not in a checkpoint yet: ask for one (Checkpoint now), then close at it`,
    }
  const signBlocked = p.readOnly ? READ_ONLY_TEXT : belowPending(p.newest)
  return {
    phase: 'offered',
    version: p.newest,
    ...(supersedes !== undefined ? { supersedes } : {}),
    ...(signBlocked ? { signBlocked } : {}),
  }
}

/** The core's view of the replica's closes: the request shown, who signed, whether it is superseded. */
export function closeProgressOf(replica: Replica): CloseProgress | undefined {
  return closeProgress({
    requests: replica.closes.list(),
    ownDigest: (v) => replica.checkpoint(v)?.digest.toLowerCase() as Hex | undefined,
    newest: replica.latestCheckpointVersion,
    finalOpsSince: replica.finalOpsSinceCheckpoint,
    participants: replica.channel.config.participants.length,
  })
}

/** closeStep over a replica: its close requests, its computed checkpoints, the core's refusal rule. */
export function closeStepOf(
  replica: Replica,
  p: Omit<CloseStepInput, 'progress' | 'refusal' | 'newest' | 'newestCurrent' | 'participants'>,
): CloseStep {
  const progress = closeProgressOf(replica)
  const newest = replica.latestCheckpointVersion
  let refusal: CloseRefusal | undefined
  if (progress && !progress.signed.includes(p.me)) {
    const own = replica.checkpoint(progress.request.version)
    refusal = !own
      ? 'not-computed'
      : own.digest.toLowerCase() !== progress.request.checkpointDigest
        ? 'differs'
        : closeRefusal(replica.channel, own, own, replica.closes.signedBy(p.me, progress.request.version))
  }
  return closeStep({
    ...p,
    progress,
    refusal,
    newest,
    newestCurrent: closeIsCurrent(newest, newest, replica.finalOpsSinceCheckpoint),
    participants: replica.channel.config.participants.length,
  })
}

/**
 * Whether the contract's record says the channel was closed together with every leaf paid: finalized, a checkpoint
 * digest kept, and no balances root (a close with leaves stores none; a finalized proposal always keeps its root).
 */
export function closedTogether(info: Pick<ChannelInfo, 'status' | 'checkpoint'>): boolean {
  return (
    info.status === ChannelStatus.Finalized &&
    info.checkpoint.digest !== zeroHash &&
    info.checkpoint.balancesRoot === zeroHash
  )
}

/**
 * Signs the close of `version` (this replica's checkpoint there) with the session key and sends it through the
 * channel; throws the core's refusal (not computed, another close signed, superseded) without sending anything.
 */
export async function signCloseTogether(ctx: SettlementContext, version: bigint): Promise<void> {
  ctx.session.submit(ctx.replica.closeOp(version))
  await ctx.session.flush()
}

/**
 * Sends `closeCooperatively` with every participant's signature and the checkpoint's leaves (paid at once).
 * Refuses before the wallet is asked when the wallet is on another chain (WrongChainError), when not every
 * participant's signature is here, or when the close is superseded (it would undo newer final ops).
 */
export async function submitCloseTogether(
  client: WriteClient,
  ctx: SettlementContext & { chainId: bigint },
  version: bigint,
): Promise<Hash> {
  const walletChain = await getChainId(client)
  if (BigInt(walletChain) !== ctx.chainId) throw new WrongChainError(walletChain, ctx.chainId)
  const { replica } = ctx
  const progress = closeProgressOf(replica)
  const cp = replica.checkpoint(version)
  if (!cp || !progress || progress.request.version !== version || !progress.ours)
    throw new Error(`no close of v${version} gathered here`)
  if (progress.superseded) throw new Error(CLOSE_REFUSAL_TEXT.superseded)
  if (progress.missing.length > 0)
    throw new Error(
      `${progress.signed.length} of ${progress.missing.length + progress.signed.length} signed, waiting for ${progress.missing.length} more`,
    )
  return closeCooperatively(client, {
    address: ctx.contract,
    channelId: toHex(replica.channel.channelId),
    checkpoint: cp,
    signatures: progress.request.signatures,
    leaves: balanceLeaves(replica.stateOfCheckpoint(version)),
  })
}
