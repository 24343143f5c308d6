import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { outage, outageChannel, tradeStep } from './outage.fixture.ts'

const D = 3
const K = 3
const { tc, make } = outageChannel('spent-expired', D, K)

describe('an expired block nobody needs any more (Replica.isSpent, CONTEXT.md "Chain restart")', () => {
  it('is spent alike at every replica holding the same certified checkpoint, only once its author’s chain is final past it', () => {
    const reps = tc.members.map((_, i) => make(i))
    // participant 3's block X reaches nobody while the others trade on past the horizon; 0 and 1 prune, 2 never
    const run = outage(reps, 4 * (D + K))
    const { cut, x } = run
    let now = run.now
    const id = toHex(x.id)
    const holders = () => reps.filter((r) => r.nodes.has(id))
    // expired everywhere, but its author's chain has not gone on from it: still the prev of a restart
    expect(holders()).toContain(cut)
    for (const r of holders()) {
      expect(r.nodes.get(id)!.expired).toBe(true)
      expect(r.isSpent(r.nodes.get(id)!)).toBe(false)
    }
    const spentAt = new Set<number>()
    for (let k = 0; k < 8 * D; k++) {
      now = tradeStep(reps, now, 1)
      const verdicts = new Map<bigint, boolean>()
      for (const r of holders()) {
        const i = reps.indexOf(r)
        const node = r.nodes.get(id)!
        const spent = r.isSpent(node)
        if (spentAt.has(i)) expect(spent, `replica ${i}: spent stays spent`).toBe(true)
        if (!spent) continue
        spentAt.add(i)
        expect(r.isFinal(node)).toBe(false)
        // its author's next block (prev X) is final here
        const next = [...r.nodes.values()].find((n) => n.author === 3 && n.seq === x.seq + 1)
        expect(next === undefined || next.pruned || r.isFinal(next)).toBe(true)
        const version = r.latestCertified()!.version
        const seen = verdicts.get(version)
        if (seen !== undefined) expect(spent).toBe(seen)
        verdicts.set(version, spent)
      }
      for (const r of holders()) {
        const version = r.latestCertified()?.version
        if (version !== undefined && verdicts.get(version) === true)
          expect(r.isSpent(r.nodes.get(id)!), `replica ${reps.indexOf(r)} at version ${version}`).toBe(true)
      }
    }
    // the holders that never forget it (its author, the replica that never prunes) end up taking it as spent
    expect(spentAt.has(3)).toBe(true)
    expect(spentAt.has(2)).toBe(true)
  })
})
