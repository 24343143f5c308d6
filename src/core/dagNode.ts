import type { Block } from './block.ts'
import { type Hex, toHex } from './bytes.ts'
import type { StubSeal } from './snapshot/stubSeal.ts'

/** The commit index of a block not (yet) in the final order. */
export const UNCOMMITTED = Number.MAX_SAFE_INTEGER

/** A block accepted into the DAG, with what the replica derived from it. */
export type Node = {
  id: Uint8Array
  hex: Hex
  block: Block
  bytes: Uint8Array | undefined
  author: number
  seq: number
  round: number
  /** prev (when seq > 1) first, then the parents in block order: the order support is read in */
  refs: Node[]
  /** hex ids of the references while the block waits in the buffer */
  refIds: Hex[] | undefined
  /**
   * For a block of round r ≥ 2, per author: the block of that author's round r − 1 slot it supports (the first such
   * block among its references), or undefined when it supports none. Undefined in round 1 and once pruned.
   */
  votes: (Node | undefined)[] | undefined
  /** distinct authors of round r + 2 blocks that certify this block (leaderVotes.ts) */
  certifiers: Set<number> | undefined
  /** those certificate blocks (for indirect decisions) */
  certificates: Node[] | undefined
  /** position in the final order, or UNCOMMITTED */
  commitIndex: number
  /** decided at commit: ops of an author after the position where its equivocation is proven are void */
  voided: boolean
  /** decided at commit: signed by a key its wallet had replaced at this seq (void, never evidence) */
  revoked: boolean
  /** lowercase address of the session key that signed the block */
  key: string
  /** per op: Reject.None when applied, the reason it was skipped otherwise */
  results: Uint8Array
  /** per op: whether a checkpoint op's signature is invalid (only checkpoint ops are checked) */
  badCheckpointOps: Set<number> | undefined
  /**
   * Pruned (snapshot/frontier.ts): final below a certified checkpoint, kept only as a reference target — author,
   * seq, round, time and its key rotation; no ops, bytes or references. Never served, applied or re-validated.
   */
  pruned: boolean
  /**
   * Local citation policy, not validity: accepted more than D rounds below this replica's quorum round, or citing
   * such a block, or forking its author's chain from a prev more than D rounds below it. Honest authoring never
   * cites a late block (parentsFor), so a replica whose floor is past a late block's history never meets an
   * honest block it cannot accept (CONTEXT.md, "Bounded frontier"). Set by citation.ts markLate.
   */
  late: boolean
  /** citation policy: its history may hold a block a pruned replica cannot accept (passed on through prev too) */
  lateHistory: boolean
  /**
   * Below the expiry horizon (CONTEXT.md, "Chain restart"): never final, its ops never applied. Either it arrived
   * below the horizon extending its author's chain and joined as a header (signature, seq, prev, round and rotation
   * checked; refs = [prev], parents never resolved), or it was pending when a commit moved the horizon past it.
   */
  expired: boolean
  /** a stub's header fields and signature (snapshot/stubSeal.ts); undefined while the block is whole */
  seal: StubSeal | undefined
}

export function makeNode(
  id: Uint8Array,
  hex: Hex,
  block: Block,
  bytes: Uint8Array | undefined,
  author: number,
): Node {
  return {
    id,
    hex,
    block,
    bytes,
    author,
    seq: Number(block.seq),
    round: Number(block.round),
    refs: [],
    refIds: undefined,
    votes: undefined,
    certifiers: undefined,
    certificates: undefined,
    commitIndex: UNCOMMITTED,
    voided: false,
    revoked: false,
    key: '',
    results: new Uint8Array(block.ops.length),
    badCheckpointOps: undefined,
    pruned: false,
    late: false,
    lateHistory: false,
    expired: false,
    seal: undefined,
  }
}

/** Hex ids of a block's references, prev first: computed once per block (parents can number in the hundreds). */
export function refIds(node: Node): Hex[] {
  if (node.refIds) return node.refIds
  const out: Hex[] = []
  if (node.seq > 1) out.push(toHex(node.block.prev))
  for (const p of node.block.parents) out.push(toHex(p))
  node.refIds = out
  return out
}

/** Of a block's reference ids (prev first when seq > 1), the prev alone: all an expired header resolves. */
export function prevOnly(node: Node, ids: Hex[]): Hex[] {
  return node.seq > 1 ? ids.slice(0, 1) : []
}
