import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { outage, outageChannel, tradeStep } from '../outage.fixture.ts'
import { encodeBase } from './base.ts'
import { restoreOffered } from './offeredBase.ts'
import { stubSealProblem } from './stubSeal.ts'

const D = 3
const K = 3
const { tc, make } = outageChannel('stub-seal', D, K)

describe('stub seals (stubSeal.ts): every stub of an honest base is a block its author signed', () => {
  it('holds for stubs of pruned blocks and of expired blocks kept whole, so a peer’s base with both is taken', () => {
    const reps = tc.members.map((_, i) => make(i))
    // participant 3's block X reaches nobody while the others trade on past the horizon; 0 and 1 prune
    const run = outage(reps, 4 * (D + K))
    let now = run.now
    for (let k = 0; k < 2; k++) now = tradeStep(reps, now, 1)
    const pruner = reps[0]!
    pruner.prune()
    const base = pruner.base()!
    const x = pruner.nodes.get(toHex(run.x.id))
    // X is expired here and kept whole (not a stub): its seal comes from its own header
    expect(x?.expired).toBe(true)
    expect(x?.pruned).toBe(false)
    const expired = base.frontier.filter((r) => r.expired)
    expect(expired.map((r) => r.id)).toContain(toHex(run.x.id))
    expect(base.frontier.filter((r) => !r.expired).length).toBeGreaterThan(0)
    for (const r of base.frontier) expect(stubSealProblem(tc.channel, r), r.id).toBeUndefined()
    // a joiner with the channel's depth D (every replica of a channel uses the same)
    const v = restoreOffered(tc.channel, () => make(3), encodeBase(base))
    expect(v.ok && v.replica.prunedVersion).toBe(base.version)
  })
})
