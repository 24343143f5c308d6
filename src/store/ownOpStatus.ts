import type { Replica } from '../core/replica.ts'

/** Where an op this participant submitted stands now. */
export type OwnOpStatus = 'pending' | 'final' | 'dropped'

/**
 * The status of an own op from `seq`, the seq of the block that carries it (or will: `Replica.submit` returns it
 * while the op is still batched): **dropped** when that block expired (sealed while this device was cut off, it
 * reached the others too late to become final: core/expiry.ts); **final** when this author's block at that seq is
 * final, or is no longer held below its latest block (pruning forgets only final blocks); **pending** otherwise —
 * sealed and not final yet, or still in the batch.
 */
export function ownOpStatus(replica: Replica, me: number, seq: bigint): OwnOpStatus {
  if (replica.expiredOwn().some((b) => b.seq === seq)) return 'dropped'
  const held = replica.dag.bySeq[me]?.get(Number(seq))
  if (held && held.length > 0) {
    if (held.some((x) => x.expired)) return 'dropped'
    return held.some((x) => x.pruned || replica.isFinal(x)) ? 'final' : 'pending'
  }
  const latest = replica.latest[me]
  return latest !== undefined && seq < BigInt(latest.seq) ? 'final' : 'pending'
}
