import type { Hex } from './bytes.ts'
import { type CheckpointFields, checkpointStructHash, typedDataDigest } from './eip712.ts'

/**
 * A checkpoint: the channel state after a committed leader. Every honest replica computes the same one at the
 * same version (it is a function of the final order), so honest keys sign it without a vote and never sign two
 * digests at one version.
 * - `leader`: id of the committed leader block after whose causal history the state is taken;
 * - `time`: the channel clock at that leader (ms);
 * - `depositCount`: on-chain deposit records 0 … depositCount − 1 are credited, later ones are not;
 * - `forcedCount`: forced-inclusion records 0 … forcedCount − 1 are included.
 */
export type Checkpoint = {
  version: bigint
  leader: Uint8Array
  time: bigint
  depositCount: bigint
  forcedCount: bigint
  stateRoot: Uint8Array
  balancesRoot: Uint8Array
}

export function checkpointFields(channelId: Uint8Array, c: Checkpoint): CheckpointFields {
  return {
    channelId,
    version: c.version,
    leader: c.leader,
    time: c.time,
    depositCount: c.depositCount,
    forcedCount: c.forcedCount,
    stateRoot: c.stateRoot,
    balancesRoot: c.balancesRoot,
  }
}

/** The EIP-712 digest participants sign and the contract verifies. */
export function checkpointDigest(
  domainSeparator: Uint8Array,
  channelId: Uint8Array,
  c: Checkpoint,
): Uint8Array {
  return typedDataDigest(domainSeparator, checkpointStructHash(checkpointFields(channelId, c)))
}

/** A checkpoint with the signatures collected for it, ready to submit on chain. */
export type SignedCheckpoint = Checkpoint & {
  digest: Hex
  /** participant index → 65-byte signature by its session key */
  signatures: Map<number, Uint8Array>
  /**
   * the final window's root the `stateRoot` field hashes in beside the state's (finalWindow.ts), where this replica
   * computed the checkpoint or restored it from a base: not signed on its own, and not needed on chain
   */
  windowRoot?: Uint8Array
}
