import { describe, expect, it } from 'vitest'
import { FORCED_WINDOW } from '../core/attestations.ts'
import { encodeOp } from '../core/opCodec.ts'
import { type Op, OpTag } from '../core/ops.ts'
import type { ForcedRecord } from '../core/state.ts'
import { type ForcedAttestSource, forcedAttestations } from './forced.ts'

const op = encodeOp({ tag: OpTag.Transfer, to: 0, token: 0, amount: 5n })
const record = (index: bigint): ForcedRecord => ({ index, participant: 2, op })
const attest = (index: bigint): Op => ({ tag: OpTag.ForcedAttest, forcedIndex: index, participant: 2, op })

function source(forcedCount: bigint, mine: Op[], others: Op[], batched: Op[]): ForcedAttestSource {
  return {
    state: { forcedCount },
    order: [
      { author: 1, block: { ops: mine } },
      { author: 0, block: { ops: others } },
    ],
    batchedOps: () => batched,
  }
}

describe('forcedAttestations (what syncForced submits)', () => {
  it('attests every record read from the chain that is neither included nor already attested by me', () => {
    const records = [0n, 1n, 2n, 3n, 4n].map(record)
    // record 0 is included; I attested 1 in a block and 2 in my open batch; another participant attested 3
    const ops = forcedAttestations(source(1n, [attest(1n)], [attest(3n)], [attest(2n)]), 1, records)
    expect(ops).toEqual([attest(3n), attest(4n)])
  })

  it('stops FORCED_WINDOW records ahead of the included prefix (the fold would refuse those attestations)', () => {
    const records = [0n, FORCED_WINDOW - 1n, FORCED_WINDOW].map(record)
    expect(forcedAttestations(source(0n, [], [], []), 1, records)).toEqual([
      attest(0n),
      attest(FORCED_WINDOW - 1n),
    ])
  })

  it('nothing to do once everything is included', () => {
    expect(forcedAttestations(source(2n, [], [], []), 1, [record(0n), record(1n)])).toEqual([])
  })
})
