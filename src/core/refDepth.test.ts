import { describe, expect, it } from 'vitest'
import { OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { DagBuilder, makeTestChannel } from './testing.ts'

const D = 3
const tc = makeTestChannel({ participants: 4, label: 'ref-depth' })

/** Rounds 1…to by `authors`, every block citing every block of the round below. */
function rounds(b: DagBuilder, to: number, authors = [0, 1, 2, 3]): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let r = 1; r <= to; r++) out.push(...b.round(r, authors))
  return out
}

describe('the reference-depth rule (a parent at most D rounds below its block)', () => {
  it('refuses a block citing a parent more than D rounds below it at every replica, accepts one exactly D below', () => {
    const b = new DagBuilder(tc)
    const blocks = rounds(b, 6)
    const old = b.at.get(7 - D - 1)!.get(1)!.id
    const edge = b.at.get(7 - D)!.get(1)!.id
    const deep = b.block(0, 7, [0, 1, 2, 3], [], [old]).bytes
    b.rewind(0, { id: b.at.get(6)!.get(0)!.id, seq: 6n })
    const fine = b.block(0, 7, [0, 1, 2, 3], [], [edge]).bytes
    for (const order of [blocks, [...blocks].reverse()]) {
      const r = new Replica(tc.channel, { ignoreForcedQueue: true, refDepth: D })
      r.receiveMany(order)
      expect(r.receive(deep)).toMatchObject({ status: 'rejected', reason: 'too-deep' })
      expect(r.receive(fine).status).toBe('accepted')
    }
    // the same block is valid under a larger depth: the rule, not the references, refuses it
    const wide = new Replica(tc.channel, { ignoreForcedQueue: true, refDepth: 4 })
    wide.receiveMany(blocks)
    expect(wide.receive(deep).status).toBe('accepted')
  })

  it('exempts the prev: an author silent for more than D rounds resumes its own chain', () => {
    const b = new DagBuilder(tc)
    const blocks = [...b.round(1, [0, 1, 2, 3])]
    for (let r = 2; r <= 8; r++) blocks.push(...b.round(r, [0, 1, 2]))
    // author 3's prev is its round-1 block, seven rounds below
    const back = b.block(3, 9, [0, 1, 2]).bytes
    const r = new Replica(tc.channel, { ignoreForcedQueue: true, refDepth: D })
    r.receiveMany(blocks)
    expect(r.receive(back).status).toBe('accepted')
  })

  it('honest authoring never cites a parent more than D rounds below, nor a block that arrived that late', () => {
    const b = new DagBuilder(tc)
    const blocks = rounds(b, 2)
    // a block of round 3 withheld, then rounds go on without it
    const withheld = b.block(3, 3, [0, 1, 2, 3]).bytes
    const three = { 0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2] }
    for (let r = 3; r <= 9; r++) blocks.push(...b.round(r, [0, 1, 2], three))
    const author = new Replica(tc.channel, {
      ignoreForcedQueue: true,
      refDepth: D,
      lateSlack: 0,
      author: { index: 0, sessionKey: tc.members[0]!.sessionKey },
      leaderWaitMs: 0,
    })
    author.receiveMany(blocks)
    expect(author.receive(withheld).status).toBe('accepted')
    const late = [...author.nodes.values()].find((x) => x.round === 3 && x.author === 3)!
    expect(late.late).toBe(true)
    author.submit({ tag: OpTag.CheckpointRequest })
    const sealed = author.seal()
    expect(sealed).toBeDefined()
    const own = [...author.nodes.values()].find((x) => x.author === 0 && x.round === 10)!
    for (const ref of own.refs) expect(ref.round).toBeGreaterThanOrEqual(10 - D)
    expect(own.refs).not.toContain(late)
  })
})
