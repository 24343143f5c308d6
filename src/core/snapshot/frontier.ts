import type { Block } from '../block.ts'
import { fromHex, type Hex } from '../bytes.ts'
import type { Dag } from '../dag.ts'
import type { Node } from '../dagNode.ts'
import type { WindowEntry } from '../finalWindow.ts'
import { rotationOf } from '../keys.ts'
import { decodeOps, encodeOps } from '../opCodec.ts'
import type { RotateKeyOp } from '../ops.ts'
import { type StubSeal, sealOf } from './stubSeal.ts'

/**
 * The frontier of a pruned DAG: every block below the pruning checkpoint is kept only as a stub — id, author, seq,
 * round, time and the key rotation it carried — so tail blocks that reference it still validate exactly as at a
 * replica that never pruned (the round rules read only those fields of a reference; prev must be the author's block
 * at seq − 1 and carry the rotation the next one continues), and its seal (the rest of the header and the signature:
 * stubSeal.ts), which a joiner checks in a peer's base. Stubs hold no ops, bytes or references: they are never
 * applied, served or re-validated, and a fork of one is recorded as equivocation without the signed pair (unpruned
 * peers hold it).
 */
export type PrunedRef = {
  id: Hex
  author: number
  seq: number
  round: number
  time: bigint
  /** the encoded RotateKey op the block carried, if any */
  rotation?: Uint8Array
  /** signed by a key its wallet had replaced at this seq (void, counts for nothing) */
  revoked?: true
  /** expired (never final; CONTEXT.md, "Chain restart"): kept only as its author's chain, for the next block's prev */
  expired?: true
  /** the rest of its header and its signature (absent in bases stored before stubs kept them) */
  seal?: StubSeal
}

const EMPTY = new Uint8Array(0)
const NO_RESULTS = new Uint8Array(0)

function stubBlock(b: Block, rotation: RotateKeyOp | undefined): Block {
  return {
    channelId: b.channelId,
    author: b.author,
    seq: b.seq,
    round: b.round,
    time: b.time,
    prev: EMPTY,
    parents: [],
    opsBytes: EMPTY,
    ops: rotation ? [rotation] : [],
    signature: EMPTY,
  }
}

/** Turns final nodes into stubs in place (their identity stays: live references keep pointing at them). */
export function stubNodes(nodes: readonly Node[]): void {
  for (const node of nodes) {
    const rotation = rotationOf(node.block)
    if (!node.pruned) node.seal = sealOf(node.block)
    node.block = stubBlock(node.block, rotation && rotation !== 'misplaced' ? rotation : undefined)
    node.bytes = undefined
    node.refs = []
    node.refIds = undefined
    node.votes = undefined
    node.certifiers = undefined
    node.certificates = undefined
    node.results = NO_RESULTS
    node.badCheckpointOps = undefined
    node.commitIndex = -1
    node.pruned = true
  }
}

/**
 * Forgets per-round bookkeeping the commit rule no longer reads: every slot below `round` (the pruning checkpoint's
 * leader round) is decided, so skip votes and round lists of those rounds go (slots of `round` after the leader's
 * may not be).
 */
export function forgetDecidedRounds(dag: Dag, round: number): void {
  for (const r of [...dag.skipVoters.keys()]) if (r < round) dag.skipVoters.delete(r)
  for (const [r, list] of [...dag.byRound]) {
    if (r >= round - 1) continue
    const rest = list.filter((x) => !x.pruned)
    if (rest.length === 0) dag.byRound.delete(r)
    else dag.byRound.set(r, rest)
  }
}

/**
 * Every stub of the DAG and every expired block (as a stub: its author's next block cites it as prev), ascending
 * round then id: what a reload needs to validate the tail.
 */
export function frontierOf(dag: Dag): PrunedRef[] {
  const out: PrunedRef[] = []
  for (const node of dag.nodes.values()) {
    if (!node.pruned && !node.expired) continue
    const ref: PrunedRef = {
      id: node.hex,
      author: node.author,
      seq: node.seq,
      round: node.round,
      time: node.block.time,
    }
    const rotation = rotationOf(node.block)
    if (rotation && rotation !== 'misplaced') ref.rotation = encodeOps([rotation])
    if (dag.isRevoked(node)) ref.revoked = true
    if (node.expired) ref.expired = true
    // an expired block that is no stub still holds its whole header
    const seal = node.seal ?? (node.pruned ? undefined : sealOf(node.block))
    if (seal) ref.seal = seal
    out.push(ref)
  }
  return out.sort((a, b) => a.round - b.round || (a.id < b.id ? -1 : 1))
}

/**
 * A stub node for a reference of a restored frontier, signed by `key` (the caller registers it in the DAG, after
 * the key epochs).
 */
export function stubOf(ref: PrunedRef, channelId: Uint8Array, author: Uint8Array, key: string): Node {
  const ops = ref.rotation ? decodeOps(ref.rotation) : []
  const block: Block = {
    channelId,
    author,
    seq: BigInt(ref.seq),
    round: BigInt(ref.round),
    time: ref.time,
    prev: EMPTY,
    parents: [],
    opsBytes: EMPTY,
    ops,
    signature: EMPTY,
  }
  return {
    id: fromHex(ref.id, 32),
    hex: ref.id,
    block,
    bytes: undefined,
    author: ref.author,
    seq: ref.seq,
    round: ref.round,
    refs: [],
    refIds: undefined,
    votes: undefined,
    certifiers: undefined,
    certificates: undefined,
    // an expired stub is no more walked than a final one (a leader's walk stops at it either way: expiry.ts), so it
    // takes the same position marker; a base that marks a stub expired wrongly cannot put it into the order
    commitIndex: -1,
    voided: false,
    revoked: false,
    key,
    results: NO_RESULTS,
    badCheckpointOps: undefined,
    pruned: true,
    late: ref.expired === true,
    lateHistory: false,
    expired: ref.expired === true,
    seal: ref.seal,
  }
}

/** The final blocks among a base's stubs (the expired ones never were), as final window entries (finalWindow.ts). */
export function finalEntries(frontier: readonly PrunedRef[]): WindowEntry[] {
  return frontier.filter((r) => !r.expired).map((r) => ({ round: r.round, id: fromHex(r.id, 32) }))
}
