import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { leaderTime } from './channelClock.ts'
import { Committer } from './committer.ts'
import { Dag } from './dag.ts'
import type { Node } from './dagNode.ts'
import { leaderOf, slotAuthor, slotOffset } from './leaders.ts'
import { linearize } from './linearizer.ts'
import { DagBuilder, makeTestChannel } from './testing.ts'

// n = 4, q = 3: every block is a leader slot; round r's slots in order are authors r, r + 1, r + 2, r + 3 (mod 4) —
// round 1: 1, 2, 3, 0; round 2: 2, 3, 0, 1; round 4: 0, 1, 2, 3
const tc = makeTestChannel({ participants: 4, label: 'committer' })
const ALL = [0, 1, 2, 3]

function setup() {
  const g = new DagBuilder(tc)
  const dag = new Dag(tc.channel)
  const committer = new Committer(dag)
  const feed = (list: Uint8Array[]) => {
    const accepted: Node[] = []
    for (const b of list) {
      const r = dag.ingest(b, accepted)
      if (r.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(r)}`)
    }
  }
  const id = (round: number, author: number) => toHex(g.at.get(round)!.get(author)!.id)
  const node = (round: number, author: number) => dag.nodes.get(id(round, author))!
  return { g, dag, committer, feed, id, node }
}

const ids = (nodes: Node[]) => nodes.map((x) => x.hex)

describe('leader schedule and quorum', () => {
  it('rotates the primary leader per round over the participants; every participant has a slot in every round', () => {
    expect([1, 2, 3, 4, 5].map((r) => leaderOf(r, 4))).toEqual([1, 2, 3, 0, 1])
    expect([0, 1, 2, 3].map((k) => slotAuthor(2, k, 4))).toEqual([2, 3, 0, 1])
    for (const r of [1, 2, 7]) for (const a of ALL) expect(slotAuthor(r, slotOffset(a, r, 4), 4)).toBe(a)
    expect(tc.channel.config.threshold).toBe(3)
  })
})

/** round r's blocks by the given authors, in slot order */
const slotIds = (id: (round: number, author: number) => string, r: number, authors = ALL) =>
  [0, 1, 2, 3]
    .map((k) => slotAuthor(r, k, 4))
    .filter((a) => authors.includes(a))
    .map((a) => id(r, a))

describe('Mysticeti-C commit rule (one test per decision case)', () => {
  it('direct commit: q certificates for the leader', () => {
    const { g, committer, feed, id } = setup()
    feed(g.round(1, ALL))
    feed(g.round(2, ALL))
    expect(committer.advance()).toEqual([])
    feed(g.round(3, ALL))
    // round 3 blocks each reference q round-2 blocks that support round 1's leader: 4 certificates
    expect(committer.direct(1, 1)).toMatchObject({ kind: 'commit', direct: true })
    // and so for every round-1 block, the primary leader's or not: all are final two rounds on, in slot order
    expect(committer.direct(1, 0)).toMatchObject({ kind: 'commit', direct: true })
    expect(ids(committer.advance())).toEqual(slotIds(id, 1))
    expect([committer.nextRound, committer.nextOffset]).toEqual([2, 0])
  })

  it('direct skip: q round-(r+1) blocks support no block of the slot', () => {
    const { g, committer, feed, id } = setup()
    feed(g.round(1, ALL))
    // 0, 2 and 3 cite the round-1 blocks of 0, 2, 3 only; 1 cites its own block as prev (a vote)
    feed(g.round(2, ALL, { 0: [0, 2, 3], 2: [0, 2, 3], 3: [0, 2, 3] }))
    feed(g.round(3, ALL))
    feed(g.round(4, ALL))
    expect(committer.direct(1, 1)).toEqual({ kind: 'skip', direct: true })
    // the other slots commit directly; the skipped slot does not hold the sequence back
    expect(ids(committer.advance())).toEqual([...slotIds(id, 1, [0, 2, 3]), ...slotIds(id, 2)])
  })

  it('undecided: neither q certificates nor q skip votes, and no anchor yet', () => {
    const { g, committer, feed } = setup()
    feed(g.round(1, ALL))
    // votes for round 1's leader by 1 (prev) and 2; 0 and 3 skip it: 2 and 2, both below q
    feed(g.round(2, ALL, { 0: [0, 2, 3], 3: [0, 2, 3] }))
    feed(g.round(3, ALL))
    expect(committer.direct(1, 1)).toEqual({ kind: 'undecided' })
    // round 1's first slot is author 1's: nothing after it is emitted either
    expect(committer.advance()).toEqual([])
    expect([committer.nextRound, committer.nextOffset]).toEqual([1, 0])
  })

  it('indirect commit: a committed anchor holds a certificate for the leader', () => {
    const { g, committer, feed, id } = setup()
    feed(g.round(1, ALL))
    // votes for the leader by 1, 2, 3; only 0 skips it
    feed(g.round(2, ALL, { 0: [0, 2, 3] }))
    // only author 2's round-3 block references all three voters: one certificate, fewer than q
    feed(g.round(3, ALL, { 0: [0, 1, 2], 1: [0, 1, 2], 2: [1, 2, 3], 3: [0, 2, 3] }))
    feed(g.round(4, ALL))
    expect(committer.direct(1, 1)).toEqual({ kind: 'undecided' })
    feed(g.round(5, ALL))
    feed(g.round(6, ALL))
    // round 4's first slot (author 0) commits directly and its history holds author 2's certificate
    expect(committer.direct(4, 0)).toMatchObject({ kind: 'commit', direct: true })
    expect(committer.direct(1, 1)).toEqual({ kind: 'undecided' })
    // round 2's slot of author 3 has two votes (round-3 blocks of 2 and 3) and two skips, and no anchor within
    // the rounds fed (its anchors are round 5's slots, decided by round 7): the sequence stops before it
    expect(committer.direct(2, 3)).toEqual({ kind: 'undecided' })
    expect(ids(committer.advance())).toEqual([...slotIds(id, 1), id(2, 2)])
    expect([committer.nextRound, committer.nextOffset]).toEqual([2, 1])
  })

  it('indirect skip: the committed anchor holds no certificate for the leader', () => {
    const { g, committer, feed, id } = setup()
    feed(g.round(1, ALL))
    // votes by 1 (prev) and 2 only: no round-3 block can certify the leader
    feed(g.round(2, ALL, { 0: [0, 2, 3], 3: [0, 2, 3] }))
    feed(g.round(3, ALL))
    feed(g.round(4, ALL))
    feed(g.round(5, ALL))
    feed(g.round(6, ALL))
    expect(committer.direct(1, 1)).toEqual({ kind: 'undecided' })
    // the anchor (round 4's first slot) commits without a certificate for it in its history: skipped
    expect(ids(committer.advance())).toEqual([
      ...slotIds(id, 1, [0, 2, 3]),
      ...slotIds(id, 2),
      ...slotIds(id, 3),
      ...slotIds(id, 4),
    ])
    expect([committer.nextRound, committer.nextOffset]).toEqual([5, 0])
  })

  it('an equivocating leader commits at most one of its blocks', () => {
    const { g, dag, committer, feed } = setup()
    feed(g.round(1, [0, 2, 3]))
    const a = g.block(1, 1, [])
    g.rewind(1, undefined)
    const b = g.block(1, 1, [], [], [], 1n) // another block in the same slot (another time, another id)
    g.rewind(1, { id: a.id, seq: 1n })
    feed([a.bytes, b.bytes])
    expect(dag.equivocators.has(1)).toBe(true)
    // 0 and 2 cite version a (it is the one 'at' holds for author 1 after the rewind below), 3 cites b
    g.at.get(1)!.set(1, a)
    const r2 = [g.block(0, 2, [0, 1, 2]), g.block(1, 2, [0, 2, 3]), g.block(2, 2, [0, 1, 2])]
    g.at.get(1)!.set(1, b)
    r2.push(g.block(3, 2, [1, 2, 3]))
    feed(r2.map((x) => x.bytes))
    feed(g.round(3, ALL))
    const committed = committer.advance()
    // a has q votes (0, 1, 2) and every round-3 block certifies it; author 2's slot follows; author 3's has two
    // votes (1, 3) and two skips (0, 2), so the sequence stops there
    expect(committed.map((x) => x.hex)).toEqual([toHex(a.id), toHex(g.at.get(1)!.get(2)!.id)])
    // one slot, one decision: the other version is not a leader anywhere in the sequence
    expect(committed.some((x) => x.hex === toHex(b.id))).toBe(false)
  })

  it('a later replica that decides more only extends the committed sequence', () => {
    const { g, committer, feed } = setup()
    const rounds = [1, 2, 3, 4, 5, 6, 7].map((r) => g.round(r, ALL))
    const early = new Committer(new Dag(tc.channel))
    const late = committer
    for (const [i, list] of rounds.entries()) {
      const acc: Node[] = []
      for (const b of list) early.dag.ingest(b, acc)
      if (i === 3) {
        const first = early.advance().map((x) => x.hex)
        feed(rounds.flat())
        const all = late.advance().map((x) => x.hex)
        expect(all.slice(0, first.length)).toEqual(first)
        expect(all.length).toBeGreaterThan(first.length)
      }
    }
  })
})

describe('linearization and the channel clock', () => {
  it('emits a leader’s uncommitted history by round, in slot order within a round', () => {
    const { g, feed, node } = setup()
    feed(g.round(1, ALL))
    feed(g.round(2, ALL))
    const sub = linearize(node(2, 2), 4, () => false)
    // round 1 in slot order: its primary leader (author 1) first, then 2, 3, 0; then the round-2 block itself
    expect(sub.map((x) => [x.round, x.author])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 0],
      [2, 2],
    ])
    // what an earlier commit already emitted is not emitted again
    const again = linearize(node(2, 2), 4, (x) => x.round === 1)
    expect(again.map((x) => x.round)).toEqual([2])
  })

  it('the clock is the median of the times a leader cites, never going back', () => {
    const g = new DagBuilder(tc)
    const dag = new Dag(tc.channel)
    const acc: Node[] = []
    const times = [1000n, 5000n, 1_000_000_000n, 1200n]
    for (const a of ALL) dag.ingest(g.block(a, 1, [], [], [], times[a]!).bytes, acc)
    const leader = g.block(2, 2, ALL)
    dag.ingest(leader.bytes, acc)
    const l = dag.nodes.get(toHex(leader.id))!
    // one liar far in the future moves nothing: lower median of 1000, 1200, 5000, 1e9
    expect(leaderTime(l, 0n)).toBe(1200n)
    expect(leaderTime(l, 2000n)).toBe(2000n)
  })
})

describe('round rules at ingress', () => {
  it('refuses a round-r block that cites fewer than q blocks of round r − 1, or a reference of its own round', () => {
    const { g, dag, feed } = setup()
    feed(g.round(1, ALL))
    const acc: Node[] = []
    const thin = g.block(0, 2, [0, 1])
    expect(dag.ingest(thin.bytes, acc)).toMatchObject({ status: 'rejected', reason: 'bad-round' })
    g.rewind(0, { id: g.at.get(1)!.get(0)!.id, seq: 1n })
    feed(g.round(2, [1, 2, 3]))
    // a "round 2" block citing a round-2 block
    const same = g.block(0, 2, [0, 1, 2], [], [g.at.get(2)!.get(1)!.id])
    expect(dag.ingest(same.bytes, acc)).toMatchObject({ status: 'rejected', reason: 'bad-round' })
  })

  it('records two blocks of one author in one round as equivocation evidence; a block above its prev’s round only', () => {
    const { g, dag, feed } = setup()
    feed(g.round(1, ALL))
    feed(g.round(2, ALL))
    const before = g.at.get(2)!.get(0)!
    // author 0 chains a second round-2 block on top of its first (seq 3, round 2): a different slot by seq, same round
    const acc: Node[] = []
    const twin = g.block(0, 2, [0, 1, 2])
    // its prev (0's round-2 block) has the same round: refused by the round rule, no evidence needed
    expect(dag.ingest(twin.bytes, acc)).toMatchObject({ reason: 'bad-round' })
    // a fork at seq 2 in round 2 (another time, so another id) is evidence
    g.rewind(0, { id: g.at.get(1)!.get(0)!.id, seq: 1n })
    const fork = g.block(0, 2, [1, 2, 3], [], [], 7n)
    expect(toHex(fork.id)).not.toBe(toHex(before.id))
    expect(dag.ingest(fork.bytes, acc).status).toBe('accepted')
    expect(dag.equivocations).toHaveLength(1)
    expect(dag.equivocations[0]).toMatchObject({ author: 0, seq: 2, round: 2 })
  })
})
