import { type Hex, toHex } from 'viem'
import type { Checkpoint } from '../../core/checkpoint.ts'
import type { ContractCheckpoint } from '../types.ts'

/** The contract's Checkpoint struct for a core checkpoint: the same fields, bytes as hex. */
export function toContractCheckpoint(cp: Checkpoint): ContractCheckpoint {
  return {
    version: cp.version,
    leader: toHex(cp.leader),
    time: cp.time,
    depositCount: cp.depositCount,
    forcedCount: cp.forcedCount,
    stateRoot: toHex(cp.stateRoot),
    balancesRoot: toHex(cp.balancesRoot),
  }
}

/** A signed checkpoint's signatures as the contract takes them: one per signer, in participant order. */
export function checkpointSignatures(signed: { signatures: ReadonlyMap<number, Uint8Array> }): Hex[] {
  return [...signed.signatures.entries()].sort(([a], [b]) => a - b).map(([, sig]) => toHex(sig))
}
