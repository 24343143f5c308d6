import { type Hex, toHex } from 'viem'
import { type Checkpoint, headsHash } from '../../core/checkpoint.ts'
import type { ContractCheckpoint } from '../types.ts'

/** The contract's Checkpoint struct for a core checkpoint: the heads are committed to by their hash. */
export function toContractCheckpoint(cp: Checkpoint): ContractCheckpoint {
  return {
    version: cp.version,
    headsHash: toHex(headsHash(cp.heads)),
    stateRoot: toHex(cp.stateRoot),
    balancesRoot: toHex(cp.balancesRoot),
  }
}

/** A signed checkpoint's signatures as the contract takes them: one per signer, in participant order. */
export function checkpointSignatures(signed: { signatures: ReadonlyMap<number, Uint8Array> }): Hex[] {
  return [...signed.signatures.entries()].sort(([a], [b]) => a - b).map(([, sig]) => toHex(sig))
}
