import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { OpTag } from '../ops.ts'
import { Replica } from '../replica.ts'
import { exitProofs } from '../roots.ts'
import { Rng } from '../sim/rng.ts'
import { decodeBase, encodeBase } from './base.ts'
import { pruneTraffic } from './pruneTraffic.fixture.ts'
import { encodeState, SnapshotMismatchError } from './stateCodec.ts'

const P = 4
const { channel, members, options, traffic } = pruneTraffic(P, 'prune')

const finalRoot = (r: Replica) => toHex(r.stateRoot())

describe('pruning below a certified checkpoint', () => {
  it('a replica that prunes as it goes keeps the same final order, state and checkpoints as one that never does', () => {
    const reps = members.map((m) => new Replica(channel, options(m.index)))
    const rng = new Rng(5)
    const clock = { now: 0 }
    let pruned = 0
    for (let k = 0; k < 6; k++) {
      traffic(reps, rng, 120, clock)
      if (reps[0]!.prune()) pruned++
    }
    expect(pruned).toBeGreaterThan(2)
    const [a, b] = [reps[0]!, reps[1]!]
    expect(a.prunedCount).toBeGreaterThan(0)
    expect(a.order.length).toBeLessThan(b.order.length)
    expect(finalRoot(a)).toBe(finalRoot(b))
    expect(b.finalIds().slice(a.prunedCount)).toEqual(a.finalIds())
    // the same checkpoints computed; the pruned replica holds a subset of the records, each as the other has it
    expect(a.latestCheckpointVersion).toBe(b.latestCheckpointVersion)
    const held = a.heldCheckpoints()
    expect(held.length).toBeLessThan(b.heldCheckpoints().length)
    for (const c of held) {
      expect(c.digest).toBe(b.checkpoint(c.version)!.digest)
      expect(c.signatures.size).toBe(b.checkpoint(c.version)!.signatures.size)
    }
    // every version from the pruning one on, and the newest fully signed one (emergency exit)
    for (let v = a.prunedVersion; v <= a.latestCheckpointVersion; v++) expect(a.checkpoint(v)).toBeDefined()
    expect(a.latestFullySigned()?.version).toBe(b.latestFullySigned()?.version)
    // the pruned replica holds no bytes of pruned blocks and serves none
    expect(a.blocksInOrder().length).toBe(a.order.length)
    // exits: the newest certified checkpoint's proofs are the same as at the replica that kept every block
    const v = a.latestCertified()!.version
    expect(exitProofs(a.stateOfCheckpoint(v), v, 2)).toEqual(exitProofs(b.stateOfCheckpoint(v), v, 2))
    // the two checkpoints before the pruning one stay available (one may have been proposed just before)
    const pv = a.prunedVersion
    expect(pv).toBeGreaterThan(2n)
    for (const w of [pv - 1n, pv - 2n])
      expect(exitProofs(a.stateOfCheckpoint(w), w, 2)).toEqual(exitProofs(b.stateOfCheckpoint(w), w, 2))
    expect(() => a.stateOfCheckpoint(pv - 3n)).toThrow(/pruning point/)
  })

  it('reload after pruning equals the state before: base + tail blocks, then the replica keeps up with the others', () => {
    const reps = members.map((m) => new Replica(channel, options(m.index)))
    const rng = new Rng(9)
    const clock = { now: 0 }
    traffic(reps, rng, 300, clock)
    reps[1]!.submit({ tag: OpTag.CheckpointRequest })
    traffic(reps, rng, 100, clock)
    const before = reps[1]!
    const base = before.prune()!
    expect(base).toBeDefined()
    const stored = encodeBase(base)
    const tail = before.blocksInOrder()
    const reloaded = new Replica(channel, options(1))
    reloaded.restore(decodeBase(stored))
    const results = reloaded.receiveMany(tail)
    expect(results.every((r) => r.status === 'accepted')).toBe(true)
    expect(finalRoot(reloaded)).toBe(finalRoot(before))
    expect(toHex(encodeState(reloaded.finalState()))).toBe(toHex(encodeState(before.finalState())))
    expect(reloaded.finalIds()).toEqual(before.finalIds())
    expect(reloaded.latestCheckpointVersion).toBe(before.latestCheckpointVersion)
    expect(reloaded.heldCheckpoints().map((c) => c.digest)).toEqual(
      before.heldCheckpoints().map((c) => c.digest),
    )
    // the reloaded replica takes the place of the old one and the channel goes on
    reps[1] = reloaded
    traffic(reps, rng, 200, clock)
    reps[2]!.submit({ tag: OpTag.CheckpointRequest })
    traffic(reps, rng, 20, clock)
    for (const r of reps) expect(finalRoot(r)).toBe(finalRoot(reps[0]!))
    expect(reloaded.latestCertified()!.version).toBe(reps[0]!.latestCertified()!.version)
    expect(reloaded.latestCertified()!.signatures.size).toBeGreaterThanOrEqual(channel.config.threshold)
  })

  it('equivocation evidence found before pruning survives pruning and reload', () => {
    const reps = members.map((m) => new Replica(channel, options(m.index)))
    const rng = new Rng(13)
    const clock = { now: 0 }
    traffic(reps, rng, 60, clock)
    // participant 3 signs a second block at a seq it used: a fork the others see
    const forker = new Replica(channel, options(3))
    forker.receiveMany(reps[0]!.blocksInOrder().filter((_, i, all) => i < all.length - 8))
    forker.submit({ tag: OpTag.Transfer, to: 0, token: 0, amount: 1n })
    const fork = forker.seal()
    expect(fork).toBeDefined()
    for (const r of reps) r.receive(fork!)
    expect(reps[0]!.equivocators()).toContain(3)
    traffic(reps.slice(0, 3), rng, 200, clock)
    reps[0]!.submit({ tag: OpTag.CheckpointRequest })
    traffic(reps.slice(0, 3), rng, 20, clock)
    const evidence = reps[0]!.equivocations.map((e) => `${e.author}:${e.a.id}:${e.b.id}`)
    expect(evidence.length).toBeGreaterThan(0)
    const base = reps[0]!.prune()!
    expect(base).toBeDefined()
    expect(reps[0]!.equivocations.map((e) => `${e.author}:${e.a.id}:${e.b.id}`)).toEqual(evidence)
    const reloaded = new Replica(channel, options(0))
    reloaded.restore(decodeBase(encodeBase(base)))
    reloaded.receiveMany(reps[0]!.blocksInOrder())
    expect(reloaded.equivocators()).toEqual(reps[0]!.equivocators())
    expect(reloaded.equivocations.map((e) => `${e.author}:${e.a.id}:${e.b.id}`)).toEqual(evidence)
    expect(finalRoot(reloaded)).toBe(finalRoot(reps[0]!))
  })

  it('refuses a base whose state is not the checkpoint’s or whose checkpoint lacks a quorum of signatures', () => {
    const reps = members.map((m) => new Replica(channel, options(m.index)))
    const rng = new Rng(21)
    const clock = { now: 0 }
    traffic(reps, rng, 200, clock)
    reps[0]!.submit({ tag: OpTag.CheckpointRequest })
    traffic(reps, rng, 20, clock)
    const base = reps[0]!.prune()!
    // a state one op further than the checkpoint's
    const forged = decodeBase(encodeBase(base))
    const s = reps[1]!.stateOfCheckpoint(base.version)
    s.apply(
      { tag: OpTag.Withdraw, token: 0, amount: 1n },
      { author: 1, seq: 1n, index: 0, height: 0, block: '', time: 0n },
    )
    forged.state = encodeState(s)
    expect(() => new Replica(channel, options(0)).restore(forged)).toThrow(SnapshotMismatchError)
    const unsigned = decodeBase(encodeBase(base))
    const cp = unsigned.checkpoints.find((c) => c.version === base.version)!
    cp.signatures = new Map([...cp.signatures].slice(0, channel.config.threshold - 1))
    expect(() => new Replica(channel, options(0)).restore(unsigned)).toThrow(/quorum/)
    const badSig = decodeBase(encodeBase(base))
    const cp2 = badSig.checkpoints.find((c) => c.version === base.version)!
    const sig = cp2.signatures.get(0)!.slice()
    sig[5] = sig[5]! ^ 1
    cp2.signatures = new Map([...cp2.signatures].map(([a, x]) => [a, a === 0 ? sig : x]))
    cp2.signatures.delete(1)
    cp2.signatures.delete(2)
    expect(() => new Replica(channel, options(0)).restore(badSig)).toThrow(SnapshotMismatchError)
    // and the untouched base restores
    expect(() => new Replica(channel, options(0)).restore(decodeBase(encodeBase(base)))).not.toThrow()
  })
})
