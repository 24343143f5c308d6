import type { Replica } from '../core/replica.ts'
import { decodeBase } from '../core/snapshot/base.ts'

export type RestoreReplicaReturnType = {
  replica: Replica
  /** the version of the checkpoint the replica starts from, undefined when it starts from no base */
  restoredFrom: bigint | undefined
}

/**
 * A fresh replica (from `make`) started from the stored pruned base, if any: the state at its certified checkpoint
 * and the stubs the tail's references need (Replica.restore checks the checkpoint's quorum signatures and the state's
 * roots). A base that fails those checks is not used: the replica starts empty and replays whatever blocks remain.
 */
export function restoreReplica(make: () => Replica, base: Uint8Array | undefined): RestoreReplicaReturnType {
  const replica = make()
  if (!base) return { replica, restoredFrom: undefined }
  try {
    const decoded = decodeBase(base)
    replica.restore(decoded)
    return { replica, restoredFrom: decoded.version }
  } catch (e) {
    console.error('the stored pruned base was refused; replaying every block instead', e)
    return { replica: make(), restoredFrom: undefined }
  }
}
