import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { ChannelDoc } from '../sync/channelDoc.ts'
import { LatencyProbe, percentile } from './latencyProbe.ts'

/** Two participants, each a replica and a ChannelDoc on its own Y.Doc, the docs passing updates to each other. */
function pair() {
  const tc = makeTestChannel({ participants: 2, label: 'probe' })
  const deposits = testDeposits(2, 2, 1_000n)
  const peers = tc.members.map((m) => {
    const doc = new Y.Doc()
    const replica = new Replica(tc.channel, {
      ignoreForcedQueue: true,
      author: { index: m.index, sessionKey: m.sessionKey },
      deposits,
    })
    const cd = new ChannelDoc({ doc, replica, ownAuthor: m.index, schedule: (f) => f() })
    return { doc, replica, cd }
  })
  const [a, b] = peers as [(typeof peers)[0], (typeof peers)[0]]
  a.doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'net' && Y.applyUpdate(b.doc, u, 'net'))
  b.doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'net' && Y.applyUpdate(a.doc, u, 'net'))
  return { a, b }
}

describe('LatencyProbe', () => {
  it('measures sync from the block time, finality from the submit, and counts only ops after its start', () => {
    const { a, b } = pair()
    let clock = 1_000
    const probe = new LatencyProbe({
      replica: a.replica,
      doc: a.cd,
      me: 0,
      tags: [OpTag.Transfer],
      now: () => clock,
      pollMs: 60_000,
    })
    const publish = (p: typeof a, bytes: Uint8Array | undefined) => bytes && p.cd.publishOwn(bytes)
    const r = a.replica.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, clock)
    probe.submitted(r.seq)
    publish(a, r.sealed)
    let finalAt: number | undefined
    const bTimes: number[] = []
    for (let step = 0; step < 200 && finalAt === undefined; step++) {
      clock += 7
      publish(a, a.replica.tick(clock))
      // b's blocks arrive 3 ms after b seals them
      const sealed = b.replica.tick(clock - 3)
      if (sealed) bTimes.push(clock - 3)
      publish(b, sealed)
      probe.look()
      const node = a.replica.dag.bySeq[0]!.get(Number(r.seq))?.[0]
      if (node && a.replica.isFinal(node)) finalAt = clock
    }
    expect(finalAt).toBeDefined()
    const report = probe.report()
    expect(report.finality).toEqual([finalAt! - 1_000])
    // every block of b was seen 3 ms after its time, and only b's blocks count
    expect(report.sync.length).toBe(bTimes.length)
    expect(new Set(report.sync)).toEqual(new Set([3]))
    expect(report.finalOps).toBe(1)
    expect(report.lastFinalAt).toBe(finalAt)
    probe.stop()

    // a probe started now sees none of that
    const later = new LatencyProbe({ replica: a.replica, doc: a.cd, me: 0, now: () => clock })
    expect(later.report()).toEqual({ sync: [], finality: [], finalOps: 0, lastFinalAt: 0 })
    later.stop()
  })

  it('counts every final op when the replica prunes during the run (finalCount falls at each pruning)', () => {
    const { a, b } = pair()
    let clock = 1_000
    const probe = new LatencyProbe({
      replica: a.replica,
      doc: a.cd,
      me: 0,
      tags: [OpTag.Transfer],
      now: () => clock,
      pollMs: 60_000,
    })
    const publish = (p: typeof a, bytes: Uint8Array | undefined) => bytes && p.cd.publishOwn(bytes)
    let sent = 0
    let prunings = 0
    for (let step = 0; step < 160; step++) {
      clock += 7
      if (step < 120) {
        const r = a.replica.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, clock)
        probe.submitted(r.seq)
        publish(a, r.sealed)
        sent++
      }
      // a checkpoint every 30 steps: certified once both sign it, then the replica may prune up to it
      if (step % 30 === 29) publish(a, a.replica.submit({ tag: OpTag.CheckpointRequest }, clock).sealed)
      publish(a, a.replica.tick(clock))
      publish(b, b.replica.tick(clock))
      probe.look()
      // prune as soon as a newer checkpoint is certified, before the probe looks again
      if (a.replica.prune()) prunings++
    }
    expect(prunings).toBeGreaterThan(1)
    expect(a.replica.prunedCount).toBeGreaterThan(0)
    const report = probe.report()
    expect(report.finalOps).toBe(sent)
    expect(report.finality.length).toBe(sent)
    probe.stop()
  })

  it('percentile picks from sorted samples', () => {
    expect(percentile([], 50)).toBe(0)
    expect(percentile([1, 2, 3, 4], 50)).toBe(3)
    expect(percentile([1, 2, 3, 4], 95)).toBe(4)
    expect(percentile([5], 0)).toBe(5)
  })
})
