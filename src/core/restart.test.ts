import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import type { Node } from './dagNode.ts'
import { OpTag } from './ops.ts'
import { outage, outageChannel, P, pay, tradeStep } from './outage.fixture.ts'
import type { Replica } from './replica.ts'
import { stateRoot } from './roots.ts'
import { Rng } from './sim/rng.ts'
import { decodeBase, encodeBase } from './snapshot/base.ts'
import { runToQuiet } from './testing.ts'

const D = 3
const K = 3
const { tc, make } = outageChannel('restart', D, K)

/**
 * Participant 3's laptop closes just as it seals block X: nobody receives X while the others trade on for `rounds`
 * rounds — far more than D + K — with replicas 0 and 1 pruning at every certified checkpoint (their floors pass X)
 * and replica 2 never pruning (it will hold X in full). Then the laptop reopens and everything is delivered.
 */
function laptopClosed(rounds: number) {
  const reps = tc.members.map((_, i) => make(i))
  // a distinctive amount: the op that must never become final
  const run = outage(reps, rounds, 777n)
  for (const r of [reps[0]!, reps[1]!]) expect(r.dag.floor).toBeGreaterThan(run.x.round)
  return { reps, ...run }
}

const finalOf = (r: Replica, author: number): Node[] =>
  [...r.nodes.values()].filter((n) => n.author === author && !n.pruned && r.isFinal(n))

describe('chain restart: an honest author whose block reached nobody before every floor passed it', () => {
  it('trades again: its new ops become final at pruned and unpruned replicas alike, same roots, no evidence', () => {
    const run = laptopClosed(8 * (D + K))
    const { reps, cut, x } = run
    let now = run.now
    for (let k = 0; k < 6 * D; k++) {
      now = tradeStep(reps, now, 1)
    }
    // quiet: every op final
    now += 100
    runToQuiet(reps, now)
    for (const r of reps) {
      expect(r.equivocators(), 'no replica holds evidence against the restarted author').toEqual([])
      expect(r.equivocations).toEqual([])
      const mine = finalOf(r, 3).filter((n) => n.seq > x.seq)
      expect(mine.length, 'its blocks after the restart are final').toBeGreaterThan(3)
      expect(r.stateRoot()).toEqual(reps[2]!.stateRoot())
      expect(stateRoot(r.finalState())).toEqual(stateRoot(reps[2]!.finalState()))
      // X itself never became final anywhere: its op is dropped, not applied late
      const held = r.nodes.get(toHex(x.id))
      if (held) expect(r.isFinal(held)).toBe(false)
      if (r !== cut) expect(held?.expired, `replica ${reps.indexOf(r)} holds X, expired`).toBe(true)
    }
    // the author's own replica says what happened to the abandoned pending op
    const dropped = cut.expiredOwn()
    expect(dropped.map((e) => e.seq)).toEqual([BigInt(x.seq)])
    expect(dropped[0]!.ops).toHaveLength(1)
  })

  it('a replica fed every block from genesis computes the same final state (delivery and pruning do not matter)', () => {
    const run = laptopClosed(8 * (D + K))
    const { reps } = run
    let now = run.now
    for (let k = 0; k < 4 * D; k++) {
      now = tradeStep(reps, now, 2)
    }
    const all = [...reps[2]!.nodes.values()].map((n) => n.bytes!).filter(Boolean)
    const fresh = make(2)
    fresh.receiveMany(all)
    expect(stateRoot(fresh.finalState())).toEqual(stateRoot(reps[2]!.finalState()))
    expect(fresh.finalCount).toBe(reps[2]!.finalCount)
  })

  it('a pruned replica that reloads from its base after the restart follows the restarted chain', () => {
    const run = laptopClosed(8 * (D + K))
    const { reps } = run
    let now = run.now
    const round = () => {
      now = tradeStep(reps, now, 1)
      reps[0]!.prune()
    }
    for (let k = 0; k < 2 * D; k++) round()
    const base = reps[0]!.base()!
    const reloaded = make(0)
    reloaded.restore(decodeBase(encodeBase(base)))
    const results = reloaded.receiveMany(reps[0]!.blocksInOrder())
    expect(results.every((r) => r.status === 'accepted' || r.status === 'duplicate')).toBe(true)
    expect(reloaded.stateRoot()).toEqual(reps[0]!.stateRoot())
    reps[0] = reloaded
    for (let k = 0; k < 2 * D; k++) round()
    now += 100
    runToQuiet(reps, now)
    for (const r of reps) {
      expect(stateRoot(r.finalState())).toEqual(stateRoot(reps[2]!.finalState()))
      expect(r.equivocators()).toEqual([])
    }
    const newest = reloaded.latest[3]!
    expect(newest.seq).toBeGreaterThan(run.x.seq + 2 * D)
  })
})

/**
 * One seeded restart: participant 3 is cut off for a random number of rounds beyond D + K, either with its laptop
 * closed (one lost block) or with only its outbound link down (it keeps receiving and sealing: a chain of lost
 * blocks, the newest of them timely when it comes back); replica 0 prunes at every step, replica 1 at random, 2 never.
 * Everything is then delivered in a random order and everyone trades on.
 */
function randomRestart(seed: number): void {
  const rng = new Rng(seed)
  const reps = tc.members.map((_, i) => make(i))
  const [cut, others] = [reps[3]!, reps.slice(0, 3)]
  const oneWay = rng.int(0, 2) === 1
  let now = 0
  for (let k = 0; k < 2; k++) {
    for (const [i, r] of reps.entries()) pay(r, (i + 1) % P, now)
    now += 100
    runToQuiet(reps, now)
  }
  const lost: Uint8Array[] = []
  const meanwhile: Uint8Array[] = []
  pay(cut, 0, now, 777n)
  lost.push(...runToQuiet([cut], now))
  const start = others[0]!.latest[0]!.round
  const rounds = rng.int(D + K + 2, 8 * (D + K))
  while (others[0]!.latest[0]!.round < start + rounds) {
    for (const [i, r] of others.entries()) pay(r, (i + 1) % 3, now)
    now += 100
    const sent = runToQuiet(others, now)
    meanwhile.push(...sent)
    if (oneWay) {
      cut.receiveMany(sent)
      if (rng.int(0, 2) === 1) pay(cut, 1, now, 3n)
      lost.push(...runToQuiet([cut], now))
    }
    reps[0]!.prune()
    if (rng.int(0, 2) === 1) reps[1]!.prune()
  }
  const shuffled = (list: Uint8Array[]) => {
    const out = list.slice()
    for (let i = out.length - 1; i > 0; i--) {
      const j = rng.int(0, i + 1)
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    return out
  }
  if (!oneWay) cut.receiveMany(shuffled(meanwhile))
  for (const r of others) r.receiveMany(shuffled(lost))
  const before = cut.latest[3]!.seq
  for (let k = 0; k < 4 * D; k++) {
    for (const [i, r] of reps.entries()) pay(r, (i + 1) % P, now)
    now += 100
    runToQuiet(reps, now)
    if (rng.int(0, 2) === 1) reps[0]!.prune()
  }
  now += 100
  runToQuiet(reps, now)
  for (const r of reps) {
    expect(r.equivocators(), `seed ${seed}`).toEqual([])
    expect(stateRoot(r.finalState()), `seed ${seed}`).toEqual(stateRoot(reps[2]!.finalState()))
    expect(r.stateRoot(), `seed ${seed}`).toEqual(reps[2]!.stateRoot())
    const after = [...r.nodes.values()].filter((x) => x.author === 3 && x.seq > before && x.seq <= before + D)
    // pruned replicas may have forgotten them (stubs of final blocks); the unpruned ones hold every one
    if (r === reps[2] || r === cut) expect(after.length, `seed ${seed}`).toBe(D)
    for (const x of after) expect(r.isFinal(x), `seed ${seed}: author 3 seq ${x.seq} final`).toBe(true)
  }
  // the first lost block expired (its op dropped and reported), never final anywhere
  expect(cut.expiredOwn().length, `seed ${seed}`).toBeGreaterThan(0)
  expect(cut.expiredOwn()[0]!.ops.some((op) => op.tag === OpTag.Transfer && op.amount === 777n)).toBe(true)
}

describe('property: a restart after a random outage, random pruning and random delivery', () => {
  it('same final and live roots everywhere, no evidence, the restarted chain final', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => randomRestart(seed)),
      { numRuns: 6 },
    )
  }, 300_000)
})
