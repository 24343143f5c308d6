import type { Dag } from './dag.ts'
import type { Node } from './dagNode.ts'
import { slotAuthor, slotOffset, slotsPerRound } from './leaders.ts'

/** What the commit rule says of one leader slot. */
export type Decision =
  | { kind: 'commit'; leader: Node; direct: boolean }
  | { kind: 'skip'; direct: boolean }
  | { kind: 'undecided' }

/** Rounds from a slot to the first slots that can serve as its anchor (Mysticeti-C's wave length). */
const WAVE = 3

/**
 * The uncertified-DAG commit rule of Mysticeti-C (Babel et al., "Mysticeti: Reaching the Limits of Latency with
 * Uncertified DAGs", arXiv 2310.14821), with one leader slot per participant per round (leaders.ts). It is a pure
 * function of the DAG:
 * - a round r + 1 block *supports* the first block of slot (a, r) among its references (leaderVotes.ts);
 * - a round r + 2 block *certifies* L when it references q round r + 1 blocks (distinct authors) supporting L;
 * - direct commit: q distinct authors certify L; direct skip: q distinct authors of round r + 1 support no block
 *   of the slot;
 * - otherwise indirect: the anchor is the first slot, in slot order, of a round ≥ r + 3 not skipped; an undecided
 *   anchor leaves the slot undecided; a committed anchor commits L if its causal history holds a certificate for L,
 *   else skips it.
 * Slots are decided from the last one down (indirect decisions need later ones) and emitted in (round, offset)
 * order up to the first undecided one, so the committed sequence only ever grows.
 */
export class Committer {
  /** the position: the first slot not yet emitted is (nextRound, nextOffset) */
  nextRound = 1
  nextOffset = 0
  /** direct decisions are permanent: cached by slot index so a stalled slot does not recount */
  private readonly directCache = new Map<number, Decision>()
  private readonly slots: number

  constructor(readonly dag: Dag) {
    this.slots = slotsPerRound(dag.n)
  }

  /** Continues after the slot of `leader` (restoring from a base pruned at that committed leader). */
  resumeAfter(leader: { round: number; author: number }): void {
    this.setPosition(leader.round * this.slots + slotOffset(leader.author, leader.round, this.dag.n) + 1)
  }

  /** Decides what can be decided and returns the newly committed leaders in commit order. */
  advance(): Node[] {
    const top = this.dag.maxRound - 2
    if (top < this.nextRound) return []
    const L = this.slots
    const first = this.nextRound * L + this.nextOffset
    const last = top * L + L - 1
    const decisions: Decision[] = new Array(last - first + 1)
    for (let s = last; s >= first; s--) {
      let d = this.directAt(s)
      if (d.kind === 'undecided') d = this.indirect(s, first, last, decisions)
      decisions[s - first] = d
    }
    const out: Node[] = []
    for (let s = first; s <= last; s++) {
      const d = decisions[s - first]!
      if (d.kind === 'undecided') break
      if (d.kind === 'commit') out.push(d.leader)
      this.directCache.delete(s)
      this.setPosition(s + 1)
    }
    return out
  }

  /** The direct decision for `author`'s slot of `round`. */
  direct(round: number, author: number): Decision {
    return this.directAt(round * this.slots + slotOffset(author, round, this.dag.n))
  }

  /** The round of the slot with index `s` (round · slots + offset; integers only). */
  private roundOf(s: number): number {
    return (s - (s % this.slots)) / this.slots
  }

  private setPosition(s: number): void {
    this.nextRound = this.roundOf(s)
    this.nextOffset = s % this.slots
  }

  /** The direct decision for the slot with index `s`. */
  private directAt(s: number): Decision {
    const cached = this.directCache.get(s)
    if (cached) return cached
    const dag = this.dag
    const r = this.roundOf(s)
    const a = slotAuthor(r, s % this.slots, dag.n)
    let d: Decision = { kind: 'undecided' }
    const certified = this.candidates(r, a).find((c) => (c.certifiers?.size ?? 0) >= dag.q)
    if (certified) d = { kind: 'commit', leader: certified, direct: true }
    else if ((dag.skipVoters.get(r)?.[a]?.size ?? 0) >= dag.q) d = { kind: 'skip', direct: true }
    if (d.kind !== 'undecided') this.directCache.set(s, d)
    return d
  }

  /** A slot's blocks (more than one only if its author forked), in id order. */
  private candidates(r: number, a: number): Node[] {
    const list = this.dag.slot(a, r)
    return list.length < 2 ? list.slice() : [...list].sort((x, y) => (x.hex < y.hex ? -1 : 1))
  }

  private indirect(s: number, first: number, last: number, decisions: readonly Decision[]): Decision {
    const L = this.slots
    const r = this.roundOf(s)
    let anchor: Decision | undefined
    for (let x = (r + WAVE) * L; x <= last; x++) {
      const d = decisions[x - first]!
      if (d.kind !== 'skip') {
        anchor = d
        break
      }
    }
    if (anchor?.kind !== 'commit') return { kind: 'undecided' }
    for (const c of this.candidates(r, slotAuthor(r, s % L, this.dag.n)))
      if (c.certificates?.some((cert) => this.dag.reaches(anchor.leader, cert)))
        return { kind: 'commit', leader: c, direct: false }
    return { kind: 'skip', direct: false }
  }
}
