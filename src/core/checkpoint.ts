import { concatBytes, type Hex } from './bytes.ts'
import { type CheckpointFields, checkpointStructHash, typedDataDigest } from './eip712.ts'
import { keccak256 } from './hash.ts'

/** A checkpoint of a DAG cut: every block that is an ancestor-or-self of one of `heads`. */
export type Checkpoint = {
  version: bigint
  heads: Uint8Array[]
  stateRoot: Uint8Array
  balancesRoot: Uint8Array
}

export function headsHash(heads: readonly Uint8Array[]): Uint8Array {
  return keccak256(concatBytes(...heads))
}

export function checkpointFields(channelId: Uint8Array, c: Checkpoint): CheckpointFields {
  return {
    channelId,
    version: c.version,
    headsHash: headsHash(c.heads),
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
}
