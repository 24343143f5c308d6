import type { Hash } from 'viem'
import { closeCooperatively } from '../chain/actions/closeCooperatively.ts'
import type { WriteClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import { CLOSE_REFUSAL_TEXT, type CloseRefusal, closeRefusal } from '../core/close.ts'
import type { CloseRequest } from '../core/closeBook.ts'
import type { Replica } from '../core/replica.ts'
import { balanceLeaves } from '../core/roots.ts'
import type { SettlementContext } from './settlement.ts'

/**
 * "Close together" (cooperative close, issue #12): any participant asks to close at the newest checkpoint a quorum
 * certified by signing its Close; the signature travels in a block (a Close op) like checkpoint signatures; each
 * participant signs the same close with one click; once every participant's is there anyone submits
 * `closeCooperatively`, which finalizes at once and pays every leaf.
 */
export type CloseStep =
  /** the chain is not open (a proposal, exit or finalization already under way) or nothing to close at */
  | { phase: 'unavailable'; reason: string }
  /** nobody asked yet: this participant may ask to close at `version` */
  | { phase: 'none'; version: bigint }
  /** a request for `version` gathers signatures */
  | {
      phase: 'collecting'
      version: bigint
      requestedBy: number
      signed: number[]
      participants: number
      /** this participant's signature is among them */
      mine: boolean
      /** why this participant must not sign it (the core's refusal), if so */
      refusal: string | undefined
    }
  /** every participant signed: anyone may submit */
  | { phase: 'ready'; version: bigint; requestedBy: number; participants: number }

export type CloseChain = 'open' | 'closing' | 'finalized' | 'unknown'

/**
 * What the Close together section shows (pure). The request shown is the newest one for a checkpoint this replica
 * computed (another one, e.g. a Byzantine peer's close of a made-up checkpoint, is shown with the refusal and never
 * signed); with no request, the newest certified checkpoint is offered.
 */
export function closeStep(
  p: {
    requests: readonly CloseRequest[]
    /** the checkpoint this replica computed at a version, if any */
    own: (version: bigint) => SignedCheckpoint | undefined
    newestCertified: SignedCheckpoint | undefined
    participants: number
    me: number
    chain: CloseChain
  },
  refusalOf: (own: SignedCheckpoint | undefined, req: CloseRequest) => CloseRefusal | undefined,
): CloseStep {
  if (p.chain === 'finalized') return { phase: 'unavailable', reason: 'settlement is finalized' }
  if (p.chain === 'unknown') return { phase: 'unavailable', reason: 'reading the chain…' }
  const req =
    p.requests.find((r) => p.own(r.version)?.digest.toLowerCase() === r.checkpointDigest) ?? p.requests[0]
  if (!req) {
    if (p.chain !== 'open')
      return {
        phase: 'unavailable',
        reason: 'a checkpoint is already proposed on chain: finalize it instead',
      }
    if (!p.newestCertified) return { phase: 'unavailable', reason: 'no checkpoint signed by a quorum yet' }
    return { phase: 'none', version: p.newestCertified.version }
  }
  const signed = [...req.signatures.keys()].sort((a, b) => a - b)
  if (signed.length === p.participants)
    return {
      phase: 'ready',
      version: req.version,
      requestedBy: req.requestedBy,
      participants: p.participants,
    }
  const mine = req.signatures.has(p.me)
  const refusal = mine ? undefined : refusalOf(p.own(req.version), req)
  return {
    phase: 'collecting',
    version: req.version,
    requestedBy: req.requestedBy,
    signed,
    participants: p.participants,
    mine,
    refusal: refusal && CLOSE_REFUSAL_TEXT[refusal],
  }
}

/** closeStep over a replica: its close requests, its computed checkpoints, the core's refusal rule. */
export function closeStepOf(replica: Replica, me: number, chain: CloseChain): CloseStep {
  const own = (version: bigint) => replica.checkpoints[Number(version) - 1]
  return closeStep(
    {
      requests: replica.closes.list(),
      own,
      newestCertified: replica.latestCertified(),
      participants: replica.channel.config.participants.length,
      me,
      chain,
    },
    (mine, req) => {
      if (!mine) return 'not-computed'
      if (mine.digest.toLowerCase() !== req.checkpointDigest) return 'differs'
      return closeRefusal(replica.channel, mine, mine, replica.closes.signedBy(me, req.version))
    },
  )
}

/** Signs the close of `version` (this replica's checkpoint there) and sends it through the channel. */
export async function signCloseTogether(ctx: SettlementContext, version: bigint): Promise<void> {
  ctx.session.submit(ctx.replica.closeOp(version))
  await ctx.session.flush()
}

/** Sends `closeCooperatively` with every participant's signature and the checkpoint's leaves (paid at once). */
export function submitCloseTogether(
  client: WriteClient,
  ctx: SettlementContext,
  version: bigint,
): Promise<Hash> {
  const cp = ctx.replica.checkpoints[Number(version) - 1]
  const req = ctx.replica.closes
    .list()
    .find((r) => r.version === version && r.checkpointDigest === cp?.digest.toLowerCase())
  if (!cp || !req) throw new Error(`no close of v${version} gathered here`)
  return closeCooperatively(client, {
    address: ctx.contract,
    channelId: toHex(ctx.replica.channel.channelId),
    checkpoint: cp,
    signatures: req.signatures,
    leaves: balanceLeaves(ctx.replica.stateOfCheckpoint(version)),
  })
}
