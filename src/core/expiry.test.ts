import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { Replica } from './replica.ts'
import { DagBuilder, makeTestChannel } from './testing.ts'

const D = 3
const K = 3
const tc = makeTestChannel({ participants: 4, label: 'expiry' })
const make = () => new Replica(tc.channel, { ignoreForcedQueue: true, refDepth: D, lateSlack: K })

/** Rounds 1…`top` by authors 0, 1, 2 (a quorum of 4), author 3 only in round 1. */
function quorumRun(top: number) {
  const b = new DagBuilder(tc)
  const bytes = [...b.round(1, [0, 1, 2, 3])]
  for (let r = 2; r <= top; r++)
    bytes.push(...b.round(r, [0, 1, 2], { 0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2] }))
  return { b, bytes }
}

describe('the expiry rule at ingress (hand-built DAGs, D = 3, K = 3)', () => {
  it('a block below the horizon that extends its author chain joins as a header: never in the order, never final', () => {
    const { b, bytes } = quorumRun(30)
    const r = make()
    r.receiveMany(bytes)
    expect(r.dag.expiredBelow).toBeGreaterThan(10)
    const header = b.block(3, 5, [0, 1, 2])
    expect(r.receive(header.bytes).status).toBe('accepted')
    const node = r.nodes.get(toHex(header.id))!
    expect(node.expired).toBe(true)
    expect(node.refs.length).toBe(1)
    expect(r.order.includes(node)).toBe(false)
    // its author's next block, far above, cites it as prev and is not late: honest blocks may cite it
    const next = b.block(3, 31, [0, 1, 2])
    expect(r.receive(next.bytes).status).toBe('accepted')
    expect(r.nodes.get(toHex(next.id))!.late).toBe(false)
    const more: Uint8Array[] = b.round(31, [0, 1, 2])
    for (let k = 32; k <= 35; k++) more.push(...b.round(k, [0, 1, 2, 3]))
    r.receiveMany(more)
    expect(r.isFinal(r.nodes.get(toHex(next.id))!)).toBe(true)
    expect(r.isFinal(node)).toBe(false)
    // a replica that got the header before it expired (in full, pending) decides the same
    const early = make()
    early.receiveMany([...bytes.slice(0, 16), header.bytes])
    expect(early.nodes.get(toHex(header.id))!.expired).toBe(false)
    early.receiveMany([...bytes.slice(16), next.bytes, ...more])
    expect(early.isFinal(early.nodes.get(toHex(header.id))!)).toBe(false)
    expect(early.finalOrder.leaders.length).toBe(r.finalOrder.leaders.length)
    expect(early.stateRoot()).toEqual(r.stateRoot())
    expect(r.equivocators()).toEqual([])
  })

  it('a Byzantine fork of a header is equivocation evidence with both signed headers', () => {
    const { b, bytes } = quorumRun(30)
    const r = make()
    r.receiveMany(bytes)
    const first = b.block(3, 5, [0, 1, 2])
    expect(r.receive(first.bytes).status).toBe('accepted')
    b.rewind(3, { id: b.at.get(1)!.get(3)!.id, seq: 1n })
    const fork = b.block(3, 6, [0, 1, 2])
    r.receive(fork.bytes)
    expect(r.equivocators()).toEqual([3])
    const e = r.equivocations.find((x) => x.author === 3)!
    expect(e.seq).toBe(2)
    expect([e.a.id, e.b.id].sort()).toEqual([toHex(first.id), toHex(fork.id)].sort())
  })

  it('a header that does not continue its author chain is not admitted below the floor', () => {
    const { b, bytes } = quorumRun(30)
    const r = make()
    r.receiveMany(bytes)
    r.dag.floor = 20
    b.rewind(3, undefined)
    // a second seq-1 block: its author already has one, so it is no header, and it is below the floor
    const again = b.block(3, 6, [0, 1, 2])
    expect(r.receive(again.bytes)).toMatchObject({ status: 'rejected', reason: 'below-floor' })
  })

  it('a block buffered for a parent that never comes joins as a header once the horizon passes it, so its author goes on', () => {
    const { b, bytes } = quorumRun(4)
    const r = make()
    r.receiveMany(bytes)
    // author 3's block cites a block nobody ever delivers (a Byzantine block sent only to author 3): it waits
    const lost = new Uint8Array(32).fill(7)
    const x = b.block(3, 2, [0, 1, 2], [], [lost])
    expect(r.receive(x.bytes).status).toBe('buffered')
    const more: Uint8Array[] = []
    for (let k = 5; k <= 30; k++) more.push(...b.round(k, [0, 1, 2]))
    r.receiveMany(more)
    expect(r.dag.expiredBelow).toBeGreaterThan(2)
    // the horizon passed it: a header now (what a replica that got it only now would make of it), not buffered
    const node = r.nodes.get(toHex(x.id))
    expect(node?.expired).toBe(true)
    expect(r.bufferedCount).toBe(0)
    // its author's next block cites it as prev, is accepted at once, and becomes final
    const next = b.block(3, 31, [0, 1, 2])
    expect(r.receive(next.bytes).status).toBe('accepted')
    const tail: Uint8Array[] = b.round(31, [0, 1, 2])
    for (let k = 32; k <= 35; k++) tail.push(...b.round(k, [0, 1, 2, 3]))
    r.receiveMany(tail)
    expect(r.isFinal(r.nodes.get(toHex(next.id))!)).toBe(true)
    // a replica that got the block only after the horizon passed it decides the same
    const late = make()
    late.receiveMany([...bytes, ...more, x.bytes, next.bytes, ...tail])
    expect(late.nodes.get(toHex(x.id))?.expired).toBe(true)
    expect(late.finalOrder.leaders.length).toBe(r.finalOrder.leaders.length)
    expect(late.stateRoot()).toEqual(r.stateRoot())
    expect(r.equivocators()).toEqual([])
  })
})
