import { concatBytes } from './bytes.ts'
import { keccak256 } from './hash.ts'

/**
 * The final window (CONTEXT.md, "Rejoin after everyone pruned"): which blocks are final as of a committed leader,
 * among those of the last 2D rounds (D the reference depth), and each author's final tip. A checkpoint commits to it beside the state
 * (`checkpointStateRoot`), so the q signatures on a checkpoint certify not only the state after its leader but also
 * exactly which blocks of rounds ≥ leader round − 2D the final order held then. Every honest replica computes the
 * same set (a function of the final order and of the blocks' rounds), and a pruned base's stubs of those rounds
 * are exactly that set at every honest pruner (Pruning.raiseFloor never forgets a stub above floor − D, and the
 * floor is at most the leader's round − D). A joiner re-hashes the base's stubs and refuses the base unless they
 * give the signed root: a block that was not final offered as a final stub, a final one left out or flagged
 * expired, or an author's other fork in its place. Below the window, the tips anchor each author's final chain
 * (snapshot/finalChains.ts).
 */
export function finalWindowRounds(refDepth: number): number {
  return 2 * refDepth
}

const TAG = new TextEncoder().encode('final-window-v1')
const ROOT_TAG = new TextEncoder().encode('checkpoint-state-v1')

/** One final block of the window: its round and 32-byte id. */
export type WindowEntry = { round: number; id: Uint8Array }

function compareIds(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

const NO_TIP = new Uint8Array(32)

/**
 * The root of the final blocks `entries` of rounds ≥ `low` (keccak of their ids by round, then id) and of each
 * author's final tip (`tips[a]`: its final block of the highest seq, the lowest id among twins; 32 zero bytes for an
 * author with none) — which certifies, through the prev links of the stubs' seals, the author's final chain below
 * the window too (snapshot/finalChains.ts).
 */
export function finalWindowRoot(
  entries: Iterable<WindowEntry>,
  low: number,
  tips: readonly (Uint8Array | undefined)[],
): Uint8Array {
  const kept = [...entries].filter((e) => e.round >= low)
  kept.sort((a, b) => a.round - b.round || compareIds(a.id, b.id))
  return keccak256(concatBytes(TAG, ...kept.map((e) => e.id), ...tips.map((t) => t ?? NO_TIP)))
}

/** Whether a final block (seq, id) is a better tip than the current one: a higher seq, or the lower id at one seq. */
export function betterTip(seq: number, hex: string, tip: { seq: number; hex: string } | undefined): boolean {
  return !tip || seq > tip.seq || (seq === tip.seq && hex < tip.hex)
}

/** What a checkpoint's `stateRoot` field holds: the state's root (roots.ts) and the final window's, hashed together. */
export function checkpointStateRoot(stateRoot: Uint8Array, windowRoot: Uint8Array): Uint8Array {
  return keccak256(concatBytes(ROOT_TAG, stateRoot, windowRoot))
}

/**
 * A replica's final window: every committed block (void ones too: they hold a position in the final order) of the
 * rounds still within 2D of the newest committed leader. Bounded by 2D + 1 rounds of committed blocks.
 */
export class FinalWindow {
  private readonly byRound = new Map<number, Uint8Array[]>()
  private low = 0

  constructor(private readonly span: number) {}

  /** Starts from the final blocks of a restored base as of a leader of `leaderRound` (a fresh window). */
  restore(entries: readonly WindowEntry[], leaderRound: number): void {
    this.low = leaderRound - this.span
    for (const e of entries) this.add(e.round, e.id)
  }

  /** Notes a block that just became final. */
  add(round: number, id: Uint8Array): void {
    if (round < this.low) return
    const list = this.byRound.get(round)
    if (list) list.push(id)
    else this.byRound.set(round, [id])
  }

  /** Forgets rounds below the window of a leader of `leaderRound` (leaders commit in ascending rounds). */
  advance(leaderRound: number): void {
    const low = leaderRound - this.span
    if (low <= this.low) return
    if (low - this.low < this.byRound.size) for (let r = this.low; r < low; r++) this.byRound.delete(r)
    else for (const r of [...this.byRound.keys()]) if (r < low) this.byRound.delete(r)
    this.low = low
  }

  /** The root as of a leader of `leaderRound`, with the authors' final tips then (see finalWindowRoot). */
  root(leaderRound: number, tips: readonly (Uint8Array | undefined)[]): Uint8Array {
    this.advance(leaderRound)
    const entries: WindowEntry[] = []
    for (const [round, ids] of this.byRound) for (const id of ids) entries.push({ round, id })
    return finalWindowRoot(entries, leaderRound - this.span, tips)
  }
}
