import { describe, expect, it } from 'vitest'
import { OpTag } from '../ops.ts'
import { network, observer, root, tc, transfer } from '../replica.fixture.ts'
import type { Replica } from '../replica.ts'
import { runToQuiet, twinOf } from '../testing.ts'
import { decodeBase, encodeBase } from './base.ts'
import { restoreOffered } from './offeredBase.ts'

/**
 * Author 3 signs twin blocks (same seq and round) and both become final: it is proven to fork, and its final blocks
 * from the proof on are void. Who is proven is in the state (ChannelState.proven), so every replica, a fresh replay
 * and a checkpoint agree on it, and a peer's base cannot lie about it (src/core/CONTEXT.md, "Rejoin after everyone
 * pruned").
 */
function provenRun() {
  const reps = network(tc, { checkpointIntervalMs: 1000 })
  const [a, b, c, d] = reps as [Replica, Replica, Replica, Replica]
  a.submit(transfer(1, 1n))
  runToQuiet(reps, 0)
  d.submit(transfer(0, 100n))
  a.submit(transfer(2, 1n))
  const ab = a.tick(1001)!
  for (const r of [b, c, d]) r.receive(ab)
  const first = d.tick(1002)!
  const twin = twinOf(tc.channel, first, [transfer(1, 100n)], tc.members[3]!.sessionKey)
  // half the others build on one twin, half on the other: both end up in the final order
  a.receive(first)
  c.receive(first)
  b.receive(twin)
  for (const r of [a, b, c]) r.submit(transfer(0, 1n))
  for (const r of reps) r.receiveMany([first, twin])
  let now = 2000
  for (let k = 0; k < 6; k++) {
    for (const r of reps) r.submit(transfer((k + 1) % 4, 1n))
    now += 500
    runToQuiet(reps, now)
  }
  a.submit({ tag: OpTag.CheckpointRequest })
  for (let k = 0; k < 4; k++) {
    now += 500
    runToQuiet(reps, now)
  }
  return { reps, now }
}

describe('a fork proven in the final order is certified state (issue #8)', () => {
  const { reps } = provenRun()

  it("every replica (the forker's own too) and a fresh replay of the blocks hold the proof in the state and the same root", () => {
    // the forker's own replica too: its own later block, applied from its batch while pending, is void when final
    for (const r of reps) {
      expect(r.finalState().proven).toBe(1n << 3n)
      expect(root(r)).toBe(root(reps[0]!))
    }
    const fresh = observer()
    fresh.receiveMany(reps[0]!.blocksInOrder())
    expect(fresh.finalState().proven).toBe(1n << 3n)
    expect(root(fresh)).toBe(root(reps[0]!))
  })

  it('a base pruned after the proof says so and is taken; one that leaves it out, or names another, is refused', () => {
    const base = reps[0]!.prune()!
    expect(base).toBeDefined()
    expect(base.proven).toEqual([false, false, false, true])
    const make = () => observer({ checkpointIntervalMs: 1000 })
    const honest = restoreOffered(tc.channel, make, encodeBase(base))
    expect(honest.ok).toBe(true)
    if (honest.ok) {
      honest.replica.receiveMany(reps[0]!.blocksInOrder())
      expect(root(honest.replica)).toBe(root(reps[1]!))
      expect(honest.replica.equivocators()).toEqual([3])
    }
    for (const proven of [
      [false, false, false, false],
      [false, true, false, true],
    ]) {
      const forged = decodeBase(encodeBase(base))
      forged.proven = proven
      const v = restoreOffered(tc.channel, make, encodeBase(forged))
      expect(v.ok).toBe(false)
    }
  })
})
