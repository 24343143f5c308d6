import type { Dag } from './dag.ts'
import type { Node } from './dagNode.ts'
import { leaderOf } from './leaders.ts'

/** What the commit rule says of one leader slot. */
export type Decision =
  | { kind: 'commit'; leader: Node; direct: boolean }
  | { kind: 'skip'; direct: boolean }
  | { kind: 'undecided' }

/**
 * The uncertified-DAG commit rule of Mysticeti-C (Babel et al., "Mysticeti: Reaching the Limits of Latency with
 * Uncertified DAGs", arXiv 2310.14821), with one leader slot per round. It is a pure function of the DAG:
 * - a round r + 1 block *supports* the first block of slot (leader, r) among its references (leaderVotes.ts);
 * - a round r + 2 block *certifies* L when it references q round r + 1 blocks (distinct authors) supporting L;
 * - direct commit: q distinct authors certify L; direct skip: q distinct authors of round r + 1 support no block
 *   of the slot;
 * - otherwise indirect: the anchor is the first slot of a round ≥ r + 3 not skipped; an undecided anchor leaves
 *   the slot undecided; a committed anchor commits L if its causal history holds a certificate for L, else skips.
 * Slots are decided from the highest round down (indirect decisions need later ones) and emitted in round order
 * up to the first undecided one, so the committed sequence only ever grows.
 */
export class Committer {
  /** the lowest leader round not yet emitted */
  nextRound = 1
  /** direct decisions are permanent: cached so a stalled slot does not recount */
  private readonly directCache = new Map<number, Decision>()

  constructor(readonly dag: Dag) {}

  /** Decides what can be decided and returns the newly committed leaders in commit order. */
  advance(): Node[] {
    const top = this.dag.maxRound - 2
    if (top < this.nextRound) return []
    const decisions = new Map<number, Decision>()
    for (let r = top; r >= this.nextRound; r--) {
      let d = this.direct(r)
      if (d.kind === 'undecided') d = this.indirect(r, top, decisions)
      decisions.set(r, d)
    }
    const out: Node[] = []
    for (let r = this.nextRound; r <= top; r++) {
      const d = decisions.get(r)!
      if (d.kind === 'undecided') break
      if (d.kind === 'commit') out.push(d.leader)
      this.directCache.delete(r)
      this.nextRound = r + 1
    }
    return out
  }

  /** The direct decision for round r's leader slot. */
  direct(r: number): Decision {
    const cached = this.directCache.get(r)
    if (cached) return cached
    const q = this.dag.q
    const candidates = [...this.dag.slot(leaderOf(r, this.dag.n), r)].sort((a, b) => (a.hex < b.hex ? -1 : 1))
    let d: Decision = { kind: 'undecided' }
    const certified = candidates.find((c) => (c.certifiers?.size ?? 0) >= q)
    if (certified) d = { kind: 'commit', leader: certified, direct: true }
    else if ((this.dag.skipVoters.get(r)?.size ?? 0) >= q) d = { kind: 'skip', direct: true }
    if (d.kind !== 'undecided') this.directCache.set(r, d)
    return d
  }

  private indirect(r: number, top: number, decisions: ReadonlyMap<number, Decision>): Decision {
    let anchor: Decision | undefined
    for (let a = r + 3; a <= top; a++) {
      const d = decisions.get(a)!
      if (d.kind !== 'skip') {
        anchor = d
        break
      }
    }
    if (anchor?.kind !== 'commit') return { kind: 'undecided' }
    const candidates = [...this.dag.slot(leaderOf(r, this.dag.n), r)].sort((a, b) => (a.hex < b.hex ? -1 : 1))
    for (const c of candidates)
      if (c.certificates?.some((cert) => this.dag.reaches(anchor.leader, cert)))
        return { kind: 'commit', leader: c, direct: false }
    return { kind: 'skip', direct: false }
  }
}
