import { describe, expect, it } from 'vitest'
import { slotOffset } from '../leaders.ts'
import { type Op, OpTag } from '../ops.ts'
import { Replica } from '../replica.ts'
import { DagBuilder, makeTestChannel } from '../testing.ts'

// n = 7, q = 5; the replica is participant 6 and has written nothing. Round 2's slots, in order: 2, 3, 4, 5, 6, 0, 1.
const tc = makeTestChannel({ participants: 7, label: 'proposal-wait' })
const ME = 6
const WAIT = 50
const op: Op = { tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }

/**
 * Round 1 by `round1`, round 2 by 0 … 4 (a quorum; 5's block missing), with ops in `withOps`' round-2 block.
 * Returns when the replica may propose round 3: at once (0) or after the wait (WAIT).
 */
function proposeAfter(round1: number[], withOps: number): number {
  const g = new DagBuilder(tc)
  const r = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    author: { index: ME, sessionKey: tc.members[ME]!.sessionKey },
    leaderWaitMs: WAIT,
  })
  r.receiveMany(g.round(1, round1))
  r.receiveMany([0, 1, 2, 3, 4].map((a) => g.block(a, 2, round1, a === withOps ? [op] : []).bytes))
  expect(r.dag.quorumRound).toBe(2)
  if (r.proposalRound(1000) === 3) return 0
  expect(r.proposalRound(1000 + WAIT - 1)).toBeUndefined()
  expect(r.proposalRound(1000 + WAIT)).toBe(3)
  return WAIT
}

describe('when a proposer waits for the round below (authoring.ts, every block a leader slot)', () => {
  it('waits for an active participant whose slot comes before a block with ops', () => {
    expect(slotOffset(5, 2, 7)).toBeLessThan(slotOffset(0, 2, 7))
    expect(proposeAfter([0, 1, 2, 3, 4, 5], 0)).toBe(WAIT)
  })

  it('does not wait when the missing slot holds back no ops, or for a participant silent in the round before', () => {
    // 3's slot (offset 1) comes before 5's (offset 3): 5's block would hold back nothing with ops
    expect(proposeAfter([0, 1, 2, 3, 4, 5], 3)).toBe(0)
    // 5 wrote nothing in round 1: not waited for, whatever carries ops
    expect(proposeAfter([0, 1, 2, 3, 4], 0)).toBe(0)
  })
})
