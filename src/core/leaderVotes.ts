import type { Node } from './dagNode.ts'
import { entry } from './mapEntry.ts'

/**
 * The DAG's support for leader slots, recorded as each block joins (what the commit rule in committer.ts reads;
 * every participant's block is a slot, leaders.ts): a block of round r ≥ 2 votes, for each author, for the first
 * block of that author's round r − 1 slot among its references, or skips the slot (`skipVoters`, round → author →
 * voters); a block of round r ≥ 3 whose references to round r − 1 hold votes by q distinct authors for one block of
 * round r − 2 is a certificate for it (`certifiers`, `certificates`). Mysticeti-C, §3. The work per block is
 * O(n · references to the previous round), array reads only unless someone equivocates.
 */
export function countVotes(
  node: Node,
  n: number,
  q: number,
  skipVoters: Map<number, (Set<number> | undefined)[]>,
): void {
  const r = node.round
  if (r < 2) return
  const votes: (Node | undefined)[] = new Array(n).fill(undefined)
  for (const ref of node.refs)
    if (ref.round === r - 1 && votes[ref.author] === undefined) votes[ref.author] = ref
  node.votes = votes
  const skips = entry(skipVoters, r - 1, () => new Array<Set<number> | undefined>(n).fill(undefined))
  for (let a = 0; a < n; a++) {
    if (votes[a] !== undefined) continue
    const voters = skips[a] ?? new Set<number>()
    skips[a] = voters
    voters.add(node.author)
  }
  if (r >= 3) certify(node, n, q)
}

/** Records `node` (round r) as a certificate for every round r − 2 block its round r − 1 references support by q. */
function certify(node: Node, n: number, q: number): void {
  const r = node.round
  const voters: Node[] = []
  const seen = new Uint8Array(n)
  let distinct = true
  for (const ref of node.refs) {
    if (ref.round !== r - 1 || !ref.votes) continue
    if (seen[ref.author]) distinct = false
    seen[ref.author] = 1
    voters.push(ref)
  }
  if (voters.length < q) return
  for (let a = 0; a < n; a++) {
    // common case: every voter that supports a block of author a supports the same one (no fork among them)
    let target: Node | undefined
    let count = 0
    let mixed = !distinct
    for (let i = 0; i < voters.length && !mixed; i++) {
      const v = voters[i]!.votes![a]
      if (v === undefined) continue
      if (target === undefined) target = v
      else if (v !== target) mixed = true
      count++
    }
    if (!mixed) {
      if (target && count >= q) addCertificate(target, node)
      continue
    }
    // a fork of author a (or two references by one voter's author): count distinct authors per supported block
    const tally = new Map<Node, Set<number>>()
    for (const y of voters) {
      const v = y.votes![a]
      if (v) entry(tally, v, () => new Set<number>()).add(y.author)
    }
    for (const [t, authors] of tally) if (authors.size >= q) addCertificate(t, node)
  }
}

function addCertificate(target: Node, cert: Node): void {
  target.certifiers ??= new Set()
  target.certificates ??= []
  target.certifiers.add(cert.author)
  target.certificates.push(cert)
}
