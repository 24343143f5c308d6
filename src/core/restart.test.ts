import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import type { Node } from './dag.ts'
import { OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { stateRoot } from './roots.ts'
import { decodeBase, encodeBase } from './snapshot/base.ts'
import { makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const P = 4
const D = 3
const K = 3
const tc = makeTestChannel({ participants: P, label: 'restart' })
const deposits = testDeposits(P, 1, 10n ** 12n)
const make = (i: number) =>
  new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index: i, sessionKey: tc.members[i]!.sessionKey },
    deposits,
    refDepth: D,
    lateSlack: K,
    leaderWaitMs: 0,
    checkpointIntervalMs: 500,
  })
const pay = (r: Replica, to: number, now: number, amount = 1n) =>
  r.submit({ tag: OpTag.Transfer, to, token: 0, amount }, now)

/**
 * Participant 3's laptop closes just as it seals block X: nobody receives X while the others trade on for `rounds`
 * rounds — far more than D + K — with replicas 0 and 1 pruning at every certified checkpoint (their floors pass X)
 * and replica 2 never pruning (it will hold X in full). Then the laptop reopens and everything is delivered.
 */
function outage(rounds: number) {
  const reps = tc.members.map((_, i) => make(i))
  let now = 0
  for (let k = 0; k < 3; k++) {
    for (const [i, r] of reps.entries()) pay(r, (i + 1) % P, now)
    now += 100
    runToQuiet(reps, now)
  }
  const [cut, others] = [reps[3]!, reps.slice(0, 3)]
  // a distinctive amount: the op that must never become final
  pay(cut, 0, now, 777n)
  now += 100
  const lost = runToQuiet([cut], now)
  expect(lost.length).toBe(1)
  const x = cut.latest[3]!
  const meanwhile: Uint8Array[] = []
  const start = others[0]!.latest[0]!.round
  while (others[0]!.latest[0]!.round < start + rounds) {
    for (const [i, r] of others.entries()) pay(r, (i + 1) % 3, now)
    now += 100
    meanwhile.push(...runToQuiet(others, now))
    reps[0]!.prune()
    reps[1]!.prune()
  }
  for (const r of [reps[0]!, reps[1]!]) expect(r.dag.floor).toBeGreaterThan(x.round)
  expect(reps[2]!.prunedCount).toBe(0)
  // the laptop reopens: it catches up on the others' blocks, they receive X
  cut.receiveMany(meanwhile)
  for (const r of others) r.receiveMany(lost)
  return { reps, cut, now, x, lost }
}

const finalOf = (r: Replica, author: number): Node[] =>
  [...r.nodes.values()].filter((n) => n.author === author && !n.pruned && r.isFinal(n))

describe('chain restart: an honest author whose block reached nobody before every floor passed it', () => {
  it('trades again: its new ops become final at pruned and unpruned replicas alike, same roots, no evidence', () => {
    const run = outage(8 * (D + K))
    const { reps, cut, x } = run
    let now = run.now
    for (let k = 0; k < 6 * D; k++) {
      pay(cut, 1, now)
      for (const [i, r] of reps.slice(0, 3).entries()) pay(r, (i + 1) % 3, now)
      now += 100
      runToQuiet(reps, now)
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
    const run = outage(8 * (D + K))
    const { reps, cut } = run
    let now = run.now
    for (let k = 0; k < 4 * D; k++) {
      pay(cut, 2, now)
      for (const [i, r] of reps.slice(0, 3).entries()) pay(r, (i + 1) % 3, now)
      now += 100
      runToQuiet(reps, now)
    }
    const all = [...reps[2]!.nodes.values()].map((n) => n.bytes!).filter(Boolean)
    const fresh = make(2)
    fresh.receiveMany(all)
    expect(stateRoot(fresh.finalState())).toEqual(stateRoot(reps[2]!.finalState()))
    expect(fresh.finalCount).toBe(reps[2]!.finalCount)
  })

  it('a pruned replica that reloads from its base after the restart follows the restarted chain', () => {
    const run = outage(8 * (D + K))
    const { reps, cut } = run
    let now = run.now
    const round = () => {
      pay(cut, 1, now)
      for (const [i, r] of reps.slice(0, 3).entries()) pay(r, (i + 1) % 3, now)
      now += 100
      runToQuiet(reps, now)
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
