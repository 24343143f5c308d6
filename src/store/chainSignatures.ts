import type { Address } from 'viem'
import {
  getSessionKeyRange,
  type SessionKeyRange,
  signsVersion,
} from '../chain/readers/getSessionKeyRange.ts'
import type { ReadClient } from '../chain/types.ts'
import { fromHex, type Hex } from '../core/bytes.ts'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import { recoverAddress } from '../core/signature.ts'
import type { KeyRangeCache } from './keyRangeCache.ts'

/** One signature of a checkpoint: the key that made it and, read from the contract, where that key is valid. */
export type SignerOnChain = {
  key: Hex
  /** `sessionKeyRange` of the key; participant zero when the contract does not know it (a rotation not on chain) */
  range: SessionKeyRange
}

/**
 * Whether a checkpoint can go on chain now, and with which signatures. The core accepts a rotated key as soon as
 * the wallet-signed rotation is in a block; the contract only once `rotateSessionKey` is mined. A signature by a
 * key the contract does not know (yet) makes `propose` / `emergencyExit` revert (UnauthorizedSigner), so only the
 * signatures the contract accepts are sent, and a proposal waits while fewer than the threshold remain.
 */
export type ChainReadiness = {
  version: bigint
  digest: Hex
  /** the signatures the contract accepts for this version, by participant index */
  signatures: Map<number, Uint8Array>
  /** participants whose signature waits for their key rotation to be mined (left out of `signatures`) */
  waitingFor: number[]
  /** participants whose signature is by a key the contract refuses for this version for another reason */
  refused: number[]
  threshold: number
  /** at least `threshold` signatures the contract accepts */
  ready: boolean
}

/**
 * The decision (pure): keeps each signature whose key the contract accepts for `cp.version` and that participant;
 * a key the contract does not know at all is a rotation still on its way (`waitingFor`), any other mismatch is
 * `refused`, as is a signature no key recovers from (`null` in `signers`). A signature whose signer is not in
 * `signers` is left out and counted as waiting (not read yet).
 */
export function chainReadiness(
  cp: SignedCheckpoint,
  signers: ReadonlyMap<number, SignerOnChain | null>,
  participants: readonly Address[],
  threshold: number,
): ChainReadiness {
  const signatures = new Map<number, Uint8Array>()
  const waitingFor: number[] = []
  const refused: number[] = []
  for (const [i, sig] of [...cp.signatures].sort(([a], [b]) => a - b)) {
    const s = signers.get(i)
    const participant = participants[i]
    if (s === null || participant === undefined) refused.push(i)
    else if (!s || BigInt(s.range.participant) === 0n) waitingFor.push(i)
    else if (signsVersion(s.range, participant, cp.version)) signatures.set(i, sig)
    else refused.push(i)
  }
  return {
    version: cp.version,
    digest: cp.digest,
    signatures,
    waitingFor,
    refused,
    threshold,
    ready: signatures.size >= threshold,
  }
}

/**
 * What the Settlement panel says when a checkpoint cannot go on chain yet (undefined when it can): names the
 * rotations it waits for, "your" first.
 */
export function readinessText(
  r: ChainReadiness,
  me: number,
  nameOf: (index: number) => string,
): string | undefined {
  if (r.ready) return undefined
  const have = `v${r.version} has ${r.signatures.size} of the ${r.threshold} signatures the contract needs`
  if (r.waitingFor.length > 0) {
    const others = r.waitingFor.filter((i) => i !== me).map(nameOf)
    const whose = [...(r.waitingFor.includes(me) ? ['your'] : []), ...others.map((n) => `${n}'s`)]
    const list = whose.length > 1 ? `${whose.slice(0, -1).join(', ')} and ${whose.at(-1)}` : whose[0]!
    return `Waiting for ${list} key rotation${whose.length > 1 ? 's' : ''} to confirm on chain: ${have}.`
  }
  return `${have}: the contract refuses the keys of ${r.refused.map(nameOf).join(', ')} for this version.`
}

/**
 * Reads, for every signature of `cp`, the signer's key range from the contract (recovering the signer from the
 * checkpoint's digest), then decides with `chainReadiness`. With a `cache` (keyRangeCache.ts: the panel's poll on
 * every block), recoveries and the ranges that cannot have changed are not done again.
 */
export async function readChainReadiness(
  client: ReadClient,
  { contract, channelId }: { contract: Address; channelId: Hex },
  cp: SignedCheckpoint,
  participants: readonly Address[],
  threshold: number,
  cache?: KeyRangeCache,
): Promise<ChainReadiness> {
  const digest = fromHex(cp.digest, 32)
  const signers = new Map<number, SignerOnChain | null>()
  await Promise.all(
    [...cp.signatures].map(async ([i, sig]) => {
      const key = cache ? cache.signer(cp.digest, sig) : recoverAddress(digest, sig)
      if (!key.startsWith('0x')) return void signers.set(i, null)
      const read = () => getSessionKeyRange(client, { address: contract, channelId, sessionKey: key as Hex })
      const range = await (cache ? cache.range(key as Hex, read) : read())
      signers.set(i, { key: key as Hex, range })
    }),
  )
  return chainReadiness(cp, signers, participants, threshold)
}

/** The checkpoint with only the signatures the contract accepts: what propose, challenge and exit send. */
export function withChainSignatures(cp: SignedCheckpoint, r: ChainReadiness): SignedCheckpoint {
  if (r.digest.toLowerCase() !== cp.digest.toLowerCase()) return cp
  return { ...cp, signatures: new Map(r.signatures) }
}

/** A proposal or exit the contract would refuse because a key rotation is not on chain yet (or a key is refused). */
export class NotReadyOnChainError extends Error {
  override name = 'NotReadyOnChainError'
  constructor(
    readonly readiness: ChainReadiness,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Before proposing, challenging or exiting with `cp`: reads which of its signatures the contract accepts and
 * returns the checkpoint with only those, or throws NotReadyOnChainError (with `readinessText`) when they are
 * fewer than the threshold — nothing is sent that would revert.
 */
export async function readyCheckpoint(
  client: ReadClient,
  target: { contract: Address; channelId: Hex },
  cp: SignedCheckpoint,
  channel: {
    participants: readonly Address[]
    threshold: number
    me: number
    nameOf: (index: number) => string
  },
): Promise<SignedCheckpoint> {
  const r = await readChainReadiness(client, target, cp, channel.participants, channel.threshold)
  const text = readinessText(r, channel.me, channel.nameOf)
  if (text) throw new NotReadyOnChainError(r, text)
  return withChainSignatures(cp, r)
}
