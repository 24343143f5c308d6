import { bytesEqual, compareBytes, type Hex, toHex } from './bytes.ts'
import type { Channel } from './channel.ts'
import { type Checkpoint, checkpointDigest } from './checkpoint.ts'
import { closeStructHash, typedDataDigest } from './eip712.ts'
import { type BalanceLeaf, balanceLeafHash } from './merkle.ts'
import { recoverAddress, type SignatureError, signDigest } from './signature.ts'

/**
 * Cooperative close (settlement v2, issue #12): every participant's session key signs
 * `Close(channelId, version, checkpointDigest)` for the one checkpoint that ends the channel; with all n signatures
 * the contract's `closeCooperatively` makes it final at once (no dispute window) and, for small channels, pays every
 * leaf in the same transaction. An honest key signs a close only for the checkpoint its own replica computed, and
 * never two different closes at one version (see {@link closeRefusal}).
 */

/** The EIP-712 digest of the close of checkpoint `cp` (the contract's `hashClose`). */
export function closeDigest(channel: Channel, cp: Checkpoint): Uint8Array {
  return closeDigestOf(channel, cp.version, checkpointDigest(channel.domainSeparator, channel.channelId, cp))
}

/** The same from the checkpoint's version and EIP-712 digest (what a Close op carries). */
export function closeDigestOf(channel: Channel, version: bigint, cpDigest: Uint8Array): Uint8Array {
  return typedDataDigest(channel.domainSeparator, closeStructHash(channel.channelId, version, cpDigest))
}

/** Signs the close of `cp` with a session key (65 bytes r‖s‖v, low s). Check {@link closeRefusal} first. */
export function signClose(channel: Channel, cp: Checkpoint, sessionKey: Uint8Array): Uint8Array {
  return signDigest(closeDigest(channel, cp), sessionKey)
}

/** The key that signed the close of `cp`, or why the signature is malformed (same rules as the contract). */
export function closeSigner(channel: Channel, cp: Checkpoint, signature: Uint8Array): Hex | SignatureError {
  return recoverAddress(closeDigest(channel, cp), signature)
}

/**
 * Why this replica must not sign a close of `requested`, or undefined when it may:
 * - `not-computed`: the replica has not computed a checkpoint at that version (it signs only its own state);
 * - `differs`: the requested checkpoint is not the one the replica computed at that version;
 * - `signed-other`: the key already signed a different close at that version (an honest key signs at most one).
 * `signedBefore` is the digest of the close this key already signed at that version, if any (kept durably).
 * A fourth refusal, `superseded` (a newer checkpoint or newer final ops: closeProgress.ts `closeIsCurrent`), needs the
 * replica's order and is checked by `Replica.closeOp`.
 */
export type CloseRefusal = 'not-computed' | 'differs' | 'signed-other' | 'superseded'

export function closeRefusal(
  channel: Channel,
  own: Checkpoint | undefined,
  requested: Checkpoint,
  signedBefore: Hex | undefined,
): CloseRefusal | undefined {
  if (!own || own.version !== requested.version) return 'not-computed'
  const ownDigest = checkpointDigest(channel.domainSeparator, channel.channelId, own)
  const requestedDigest = checkpointDigest(channel.domainSeparator, channel.channelId, requested)
  if (!bytesEqual(ownDigest, requestedDigest)) return 'differs'
  if (signedBefore !== undefined && signedBefore !== toHex(closeDigest(channel, requested)))
    return 'signed-other'
  return undefined
}

/** What each refusal means, for the user. */
export const CLOSE_REFUSAL_TEXT: Record<CloseRefusal, string> = {
  'not-computed': 'this app has not computed that checkpoint yet, so it cannot vouch for it',
  differs: 'the checkpoint asked for differs from the one this app computed at that version',
  'signed-other': 'this key already signed a different close at that version and never signs two',
  superseded: 'trades or a newer checkpoint came after that checkpoint: closing with it would undo them',
}

/**
 * The leaves of a checkpoint's balances tree in the order `closeCooperatively` takes them: ascending leaf hash (the
 * order the core's Merkle tree sorts them in), so the contract rebuilds the root in one pass and sees no duplicate.
 */
export function closeLeaves(
  channelId: Uint8Array,
  version: bigint,
  leaves: readonly BalanceLeaf[],
): BalanceLeaf[] {
  return leaves
    .map((leaf) => ({ leaf, hash: balanceLeafHash(channelId, version, leaf) }))
    .sort((a, b) => compareBytes(a.hash, b.hash))
    .map((x) => x.leaf)
}

/** Most leaves one close pays out (the contract's MAX_CLOSE_LEAVES); above it the close keeps the root and all claim. */
export const MAX_CLOSE_LEAVES = 64
