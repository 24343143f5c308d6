import { toHex } from 'viem'
import type { Equivocation } from '../../core/replica.ts'
import type { BlockHeader } from '../types.ts'

/** One side of a core equivocation as the contract's BlockHeader: the signed fields and the signature. */
export function toBlockHeader(side: Equivocation['a']): BlockHeader {
  const h = side.header
  return {
    author: toHex(h.author),
    seq: h.seq,
    round: h.round,
    time: h.time,
    prev: toHex(h.prev),
    parentsHash: toHex(h.parentsHash),
    opsHash: toHex(h.opsHash),
    signature: toHex(side.signature),
  }
}
