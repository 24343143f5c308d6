import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { outage, outageChannel, tradeStep } from '../outage.fixture.ts'
import type { Replica } from '../replica.ts'
import { signDigest } from '../signature.ts'
import { decodeBase, encodeBase, type PrunedBase, toRanges } from './base.ts'
import type { PrunedRef } from './frontier.ts'
import { restoreOffered } from './offeredBase.ts'
import { sealedId, sealOf } from './stubSeal.ts'

/**
 * Final stubs below the certified window (snapshot/finalChains.ts): while participant 3 is cut off, the others prune
 * with the floor held at 3's last block, so their bases keep final stubs far more than 2D rounds below the leader.
 * The checkpoint certifies each author's final tip; the chains below it are the prev links of the signed stubs.
 */
const D = 3
const K = 40
const { tc, make } = outageChannel('final-chains', D, K)

function lagScenario() {
  const reps = tc.members.map((_, i) => make(i))
  const run = outage(reps, 20)
  const base = reps[0]!.base()!
  let now = run.now
  // 3 is back: its next blocks cite X as prev, and the others commit X
  for (let k = 0; k < 4; k++) now = tradeStep(reps, now, 1)
  return { reps, base, x: run.x }
}
const { reps, base, x } = lagScenario()
const leaderRound = base.nextRound - 1

/** committed lists as the non-expired stubs have them (what committedProblem asks for) */
function recount(b: PrunedBase): void {
  for (let a = 0; a < tc.members.length; a++) {
    const mine = b.frontier.filter((r) => r.author === a && !r.expired)
    b.committedSeqs[a] = toRanges(mine.map((r) => r.seq))
    b.committedRounds[a] = toRanges(mine.map((r) => r.round))
  }
}

function offer(b: PrunedBase) {
  return restoreOffered(tc.channel, () => make(2), encodeBase(b))
}
const rootOf = (r: Replica) => toHex(r.stateRoot())

describe('final stubs below the certified window: each author’s certified chain (finalChains.ts)', () => {
  it('the honest base holds final stubs more than 2D rounds below its leader, and is taken', () => {
    expect(base.frontier.some((r) => !r.expired && r.round < leaderRound - 2 * D)).toBe(true)
    const v = offer(decodeBase(encodeBase(base)))
    expect(v.ok).toBe(true)
    if (!v.ok) return
    v.replica.receiveMany(reps[2]!.blocksInOrder())
    expect(rootOf(v.replica)).toBe(rootOf(reps[2]!))
  })

  it('refuses the cut-off author’s late block, below the window and not final at the leader, offered as final', () => {
    const xId = toHex(x.id)
    expect(x.round).toBeLessThan(leaderRound - 2 * D)
    expect(base.frontier.some((r) => r.id === xId)).toBe(false)
    expect(reps[2]!.isFinal(reps[2]!.nodes.get(xId)!)).toBe(true)
    const b = decodeBase(encodeBase(base))
    b.frontier.push({
      id: xId,
      author: 3,
      seq: x.seq,
      round: x.round,
      time: x.block.time,
      seal: sealOf(x.block),
    })
    recount(b)
    const v = offer(b)
    if (v.ok) {
      // taken: the joiner never applies X's ops, which the others applied when they committed it
      v.replica.receiveMany(reps[2]!.blocksInOrder())
      expect(rootOf(v.replica)).toBe(rootOf(reps[2]!))
    }
    // X above 3's final tip: it would be the tip, which the checkpoint certifies otherwise
    expect(v.ok || v.reason).toMatch(/final window/)
  })

  it('refuses an author’s own fork of one of its final blocks below the window, in its place', () => {
    const b = decodeBase(encodeBase(base))
    const mine = b.frontier.filter((r) => r.author === 0 && !r.expired && r.round < leaderRound - 2 * D)
    const real = mine.sort((p, q) => p.seq - q.seq)[1]!
    const h = { ...real.seal!, opsHash: new Uint8Array(32).fill(5) }
    const twin: PrunedRef = { ...real }
    twin.seal = { ...h, signature: signDigest(sealedId(tc.channel, twin, h), tc.members[0]!.sessionKey) }
    twin.id = toHex(sealedId(tc.channel, twin, h))
    b.frontier = b.frontier.map((r) => (r.id === real.id ? twin : r))
    b.heads = b.heads.map((id) => (id === real.id ? twin.id : id))
    const v = offer(b)
    expect(v.ok || v.reason).toMatch(/certified chain/)
  })

  it('refuses a base that leaves out a final stub in the middle of an author’s chain below the window', () => {
    const b = decodeBase(encodeBase(base))
    const mine = b.frontier.filter((r) => r.author === 0 && !r.expired && r.round < leaderRound - 2 * D)
    const gone = mine.sort((p, q) => p.seq - q.seq)[1]!
    b.frontier = b.frontier.filter((r) => r.id !== gone.id)
    b.heads = b.heads.filter((id) => id !== gone.id)
    recount(b)
    const v = offer(b)
    expect(v.ok || v.reason).toMatch(/certified chain/)
  })
})
