import type { Hex } from './bytes.ts'
import type { CloseRequest } from './closeBook.ts'

/**
 * Where a cooperative close stands at one replica (issue #12), and the rule every honest replica applies before it
 * signs or submits one: a close ends the channel with its checkpoint's balances, so it is only safe while that
 * checkpoint is the newest one computed and no trading op became final after it. Anything newer (a trade, a deposit
 * credited, a transfer, or a newer checkpoint at all) supersedes it: signing or submitting it would undo those ops.
 */

/** Whether a close at `version` still pays what the channel's final state holds (see the module comment). */
export function closeIsCurrent(
  version: bigint,
  /** newest checkpoint version this replica computed (0n: none) */
  newest: bigint,
  /** ops other than checkpoint signatures, requests, closes and key rotations final since that checkpoint */
  finalOpsSince: number,
): boolean {
  return version === newest && finalOpsSince === 0
}

export type CloseProgress = {
  request: CloseRequest
  /** participant indexes whose Close signature arrived, ascending */
  signed: number[]
  /** participant indexes still to sign, ascending */
  missing: number[]
  /** the request names the checkpoint this replica computed at its version (else it is never signed here) */
  ours: boolean
  /** a newer checkpoint or newer final ops exist: neither signed nor submitted by an honest app */
  superseded: boolean
}

/**
 * The close request this replica shows, with who signed it: the newest request for a checkpoint this replica computed
 * (a Byzantine peer's close of a made-up checkpoint never hides it), else the newest request at all (a replica still
 * behind sees it as not computed yet). Undefined when no close was asked for.
 */
export function closeProgress(p: {
  /** newest version first (CloseBook.list) */
  requests: readonly CloseRequest[]
  /** EIP-712 digest of the checkpoint this replica computed at `version`, lower case, if any */
  ownDigest: (version: bigint) => Hex | undefined
  newest: bigint
  finalOpsSince: number
  participants: number
}): CloseProgress | undefined {
  const isOurs = (r: CloseRequest) => p.ownDigest(r.version)?.toLowerCase() === r.checkpointDigest
  const request = p.requests.find(isOurs) ?? p.requests[0]
  if (!request) return undefined
  const signed: number[] = []
  const missing: number[] = []
  for (let i = 0; i < p.participants; i++) (request.signatures.has(i) ? signed : missing).push(i)
  return {
    request,
    signed,
    missing,
    ours: isOurs(request),
    superseded: !closeIsCurrent(request.version, p.newest, p.finalOpsSince),
  }
}
