import { FORCED_WINDOW } from '../core/attestations.ts'
import { type ForcedAttestOp, type Op, OpTag } from '../core/ops.ts'
import type { ForcedRecord } from '../core/state.ts'

/** What the store needs of a replica to decide which forced records to attest. */
export type ForcedAttestSource = {
  readonly state: { readonly forcedCount: bigint }
  readonly order: readonly { readonly author: number; readonly block: { readonly ops: readonly Op[] } }[]
  batchedOps(): readonly Op[]
}

/**
 * The ForcedAttest ops participant `me` still owes for `records` (read from the contract with readForcedRecords):
 * one per record not yet included by the fold and not already attested by `me` (in one of its blocks or in its open
 * batch), up to FORCED_WINDOW records ahead of the included prefix (the fold refuses attestations further ahead).
 * Like deposits, every participant attests every record it reads from the chain; the fold includes a record once q
 * participants attested the same content, in index order.
 */
export function forcedAttestations(
  replica: ForcedAttestSource,
  me: number,
  records: readonly ForcedRecord[],
): ForcedAttestOp[] {
  const attested = new Set<bigint>()
  for (const n of replica.order)
    if (n.author === me)
      for (const op of n.block.ops) if (op.tag === OpTag.ForcedAttest) attested.add(op.forcedIndex)
  for (const op of replica.batchedOps()) if (op.tag === OpTag.ForcedAttest) attested.add(op.forcedIndex)
  return records
    .filter(
      (r) =>
        r.index >= replica.state.forcedCount &&
        // the fold refuses attestations this far ahead; they are sent once the queue has moved up
        r.index < replica.state.forcedCount + FORCED_WINDOW &&
        !attested.has(r.index),
    )
    .map((r) => ({ tag: OpTag.ForcedAttest, forcedIndex: r.index, participant: r.participant, op: r.op }))
}
