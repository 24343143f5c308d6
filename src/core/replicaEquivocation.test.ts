import { describe, expect, it } from 'vitest'
import { createBlock, decodeBlock, MAX_PARENTS } from './block.ts'
import { type Op, Side } from './ops.ts'
import { AMOUNT, limit, network, observer, root, tc, transfer } from './replica.fixture.ts'
import type { Replica } from './replica.ts'
import { runToQuiet, twinOf } from './testing.ts'

describe('equivocation (THREATS row 4; attacks 3, 6, 9)', () => {
  /** Author 3 signs two different blocks for its next round, each reaching two of the others first. */
  function forkedRun(ops: [Op[], Op[]]) {
    const reps = network()
    const [a, b, c, d] = reps as [Replica, Replica, Replica, Replica]
    a.submit(transfer(1, 1n))
    runToQuiet(reps)
    const d1 = d.tick(1000)
    expect(d1).toBeUndefined()
    // d seals a block, then signs a twin at the same seq and round with other ops
    for (const op of ops[0]) d.submit(op)
    a.submit(transfer(2, 1n))
    const ab = a.tick(1001)!
    for (const r of [b, c, d]) r.receive(ab)
    const first = d.tick(1002)!
    const twin = { bytes: twinOf(tc.channel, first, ops[1], tc.members[3]!.sessionKey) }
    a.receive(first)
    b.receive(twin.bytes)
    c.receive(first)
    // everyone gets everything
    for (const r of reps) r.receiveMany([first, twin.bytes])
    runToQuiet(reps)
    return { reps, first, twin: twin.bytes }
  }

  it('records evidence, agrees on the equivocator, and a fresh replay of every block gives the same root', () => {
    const { reps } = forkedRun([[transfer(0, 100n)], [transfer(1, 100n)]])
    for (const r of reps) {
      expect(r.equivocators()).toEqual([3])
      expect(root(r)).toBe(root(reps[0]!))
    }
    const ev = reps[0]!.equivocations[0]!
    expect(ev.a.id).not.toBe(ev.b.id)
    expect(ev.a.header.seq).toBe(ev.b.header.seq)
    expect(ev.a.header.round).toBe(ev.b.header.round)
    const fresh = observer()
    fresh.receiveMany(reps[0]!.blocksInOrder())
    expect(root(fresh)).toBe(root(reps[0]!))
    expect(fresh.finalIds()).toEqual(reps[0]!.finalIds())
  })

  it('both branches placing an order under one (seq, index): at most one applies and stays cancellable', () => {
    const { reps } = forkedRun([[limit(Side.Sell, 100n, 7n)], [limit(Side.Sell, 101n, 9n)]])
    const r = reps[0]!
    const resting = [...r.finalState().books[0]!.orders()].filter((o) => o.owner === 3)
    const keys = resting.map((o) => o.key)
    expect(new Set(keys).size).toBe(keys.length)
    expect(resting.length).toBeLessThanOrEqual(1)
    // whatever stands reserves exactly its order; nothing is stuck in reservations
    const reservedBase = r.finalState().reserved[3 * 2 + 0]!
    expect(reservedBase).toBe(resting.reduce((s, o) => s + o.reserved, 0n))
    for (const x of reps) expect(root(x)).toBe(root(r))
  })

  it('an honest author is never wedged by hundreds of sibling forks: parents stay within the limit', () => {
    const reps = network()
    const [a, b, c, d] = reps as [Replica, Replica, Replica, Replica]
    a.submit(transfer(1, 1n))
    runToQuiet(reps)
    // d signs 300 versions of its next block and sends them all to a
    d.submit(transfer(0, 1n))
    a.submit(transfer(2, 1n))
    const ab = a.tick(2000)!
    for (const r of [b, c, d]) r.receive(ab)
    const base = decodeBlock(d.tick(2001)!)
    const forks: Uint8Array[] = []
    for (let k = 0; k < 300; k++)
      forks.push(
        createBlock({
          channelId: tc.channel.channelId,
          author: base.author,
          seq: base.seq,
          round: base.round,
          time: BigInt(k),
          prev: base.prev,
          parents: base.parents,
          ops: [transfer(0, 1n)],
          sessionKey: tc.members[3]!.sessionKey,
          domainSeparator: tc.channel.domainSeparator,
        }).bytes,
      )
    // honest peers relay what they accept: everyone ends up holding every fork
    for (const r of [a, b, c]) r.receiveMany([...forks, ab])
    expect(a.equivocators()).toEqual([3])
    a.submit(transfer(2, 5n))
    runToQuiet([a, b, c])
    const own = a.latest[0]!
    expect(own.block.parents.length).toBeLessThanOrEqual(MAX_PARENTS)
    // one reference per slot: a single one of the 300 forks is cited
    const cited = a.order.filter((x) => x.author === 3 && x.round === Number(base.round))
    expect(own.refs.filter((x) => cited.includes(x)).length).toBeLessThanOrEqual(1)
    expect(a.finalState().holdings(2, 0)).toBe(AMOUNT + 6n)
  })
})
