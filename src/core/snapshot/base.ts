import type { SignedCheckpoint } from '../checkpoint.ts'
import type { Equivocation } from '../equivocation.ts'
import type { KeyEpoch } from '../keys.ts'
import type { CheckpointConflict } from '../replica.ts'
import type { PrunedRef } from './frontier.ts'

/**
 * What a replica keeps of everything below its pruning point, and what a reload starts from instead of the blocks:
 * the certified checkpoint it pruned at with the state it commits to (stateCodec.ts, checked against the
 * checkpoint's roots on restore), the frontier of pruned blocks (frontier.ts), every checkpoint computed so far
 * with its signatures (settlement and exits), equivocation and checkpoint-conflict evidence, and the final order's
 * bookkeeping the fold continues from (commit rule position, channel clock, committed seqs and rounds per author,
 * who was proven to fork, key epochs, the checkpoint schedule).
 */
export type PrunedBase = {
  /** the certified checkpoint pruned at: the state below is its state */
  version: bigint
  /** encodeState of the state after the checkpoint's leader */
  state: Uint8Array
  /** final blocks pruned so far (the absolute position of the first block kept) */
  position: number
  /** an older fully signed checkpoint's state, kept for emergency exits when the pruning one is not fully signed */
  exitState: { version: bigint; state: Uint8Array } | undefined
  checkpoints: SignedCheckpoint[]
  /** stubs of rounds ≥ floor − D and each author's latest (frontier.ts): bounded, whatever the channel's age */
  frontier: PrunedRef[]
  /** blocks of a lower round are refused (Dag.floor); absent in bases stored before the rule */
  floor?: number
  /** ids of pruned blocks nothing referenced at pruning time */
  heads: string[]
  /**
   * the pruning checkpoint's leader block's header fields its stub lacks: with the stub's author, seq, round and
   * time they hash to the checkpoint's `leader`, which certifies the stub and `nextRound` (certifiedBookkeeping.ts);
   * absent in bases stored before the rule (a joiner refuses such a base from a peer)
   */
  leaderHeader?: { prev: Uint8Array; parentsHash: Uint8Array; opsHash: Uint8Array }
  /** the commit rule's next leader round, and the channel clock at the last committed leader */
  nextRound: number
  clock: bigint
  /** per author: seqs and rounds of its committed blocks, as [from, to] ranges */
  committedSeqs: [number, number][][]
  committedRounds: [number, number][][]
  /** per author: proven to fork in the final order before the pruning point */
  proven: boolean[]
  /** per author: key epochs in the final order (finalEpochs) and as known (the DAG's registry) */
  finalEpochs: { key: string; fromSeq: bigint }[][]
  epochs: KeyEpoch[][]
  equivocators: number[]
  equivocations: Equivocation[]
  checkpointConflicts: CheckpointConflict[]
  opsSinceCheckpoint: number
  lastCheckpointTime: bigint
  checkpointRequested: boolean
  /** the highest checkpoint version this replica's author signed (it never signs one again) */
  signedVersion: bigint
}

/** Sorted integers as [from, to] ranges: committed seqs and rounds are contiguous runs in practice. */
export function toRanges(values: Iterable<number>): [number, number][] {
  const sorted = [...values].sort((a, b) => a - b)
  const out: [number, number][] = []
  for (const v of sorted) {
    const last = out[out.length - 1]
    if (last && v === last[1] + 1) last[1] = v
    else if (!last || v > last[1]) out.push([v, v])
  }
  return out
}

export function fromRanges(ranges: readonly [number, number][]): Set<number> {
  const out = new Set<number>()
  for (const [a, b] of ranges) for (let v = a; v <= b; v++) out.add(v)
  return out
}

/**
 * A base as bytes for storage (IndexedDB, a file): JSON with bigints, byte arrays and maps tagged. Local storage
 * only — a restore re-checks the state against the checkpoint and the checkpoint's signatures against the keys.
 */
export function encodeBase(base: PrunedBase): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(base, (_, v) => {
      if (typeof v === 'bigint') return { $n: v.toString() }
      if (v instanceof Uint8Array) return { $b: Buffer64.encode(v) }
      if (v instanceof Map) return { $m: [...v.entries()] }
      return v
    }),
  )
}

export function decodeBase(bytes: Uint8Array): PrunedBase {
  return JSON.parse(new TextDecoder().decode(bytes), (_, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if (typeof v.$n === 'string') return BigInt(v.$n)
      if (typeof v.$b === 'string') return Buffer64.decode(v.$b)
      if (Array.isArray(v.$m)) return new Map(v.$m)
    }
    return v
  }) as PrunedBase
}

/** Base64 without Buffer or atob (core runs in Node and the browser alike). */
const Buffer64 = {
  alphabet: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  encode(b: Uint8Array): string {
    const a = Buffer64.alphabet
    let s = ''
    for (let i = 0; i < b.length; i += 3) {
      const x = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0)
      s += a[(x >> 18) & 63]! + a[(x >> 12) & 63]!
      s += i + 1 < b.length ? a[(x >> 6) & 63]! : '='
      s += i + 2 < b.length ? a[x & 63]! : '='
    }
    return s
  },
  decode(s: string): Uint8Array {
    const a = Buffer64.alphabet
    const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
    const out = new Uint8Array((s.length / 4) * 3 - pad)
    let o = 0
    for (let i = 0; i < s.length; i += 4) {
      const x =
        (a.indexOf(s[i]!) << 18) |
        (a.indexOf(s[i + 1]!) << 12) |
        ((s[i + 2] === '=' ? 0 : a.indexOf(s[i + 2]!)) << 6) |
        (s[i + 3] === '=' ? 0 : a.indexOf(s[i + 3]!))
      if (o < out.length) out[o++] = (x >> 16) & 255
      if (o < out.length) out[o++] = (x >> 8) & 255
      if (o < out.length) out[o++] = x & 255
    }
    return out
  },
}
