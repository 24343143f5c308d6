import { describe, expect, it } from 'vitest'
import { OpTag } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { simulate } from './simulate.ts'

describe('simulator with every module in the mix (spot, perps, lending, amm)', () => {
  it('converges with a Byzantine peer, no reversal, every module applies ops, every token conserved', () => {
    const p = { participants: 4, byzantine: 1, silent: 0, seed: 21, ops: 1_200 }
    const applied = new Map<number, number>()
    let conserved = true
    let lendingPools: bigint[] = []
    let positions = 0
    const r = simulate({
      ...p,
      mix: ['spot', 'perps', 'lending', 'amm'],
      inspect: (reps) => {
        const rep = reps.get(0)!
        for (let i = 0; i < rep.finalCount; i++) {
          const node = rep.order[i]!
          node.block.ops.forEach((op, k) => {
            if (node.results[k] === Reject.None) applied.set(op.tag, (applied.get(op.tag) ?? 0) + 1)
          })
        }
        const s = rep.finalState()
        lendingPools = s.lending!.pools.map((pool) => pool?.totalShares ?? 0n)
        positions = s.perps!.positions.filter((x) => x && x.size !== 0n).length
        for (const t of [0, 1]) {
          let sum = 0n
          for (let q = 0; q < s.P; q++) sum += s.holdings(q, t)
          // every participant's genesis deposit (10¹² of each token), whatever the modules did with it
          conserved &&= sum === BigInt(s.P) * 10n ** 12n
        }
      },
    })
    const replay = `npm run sim -- --seed ${p.seed} --participants ${p.participants} --ops ${p.ops} --byzantine 1 --mix spot,perps,lending,amm`
    expect(r.mix).toEqual(['spot', 'perps', 'lending', 'amm'])
    expect(r.converged, replay).toBe(true)
    expect(r.replayMatches, replay).toBe(true)
    expect(r.finalReversals, replay).toBe(0)
    expect(r.conflictingFinal).toBe(false)
    expect(r.finalOps).toBeGreaterThanOrEqual(Math.ceil(0.9 * r.honestOps))
    // each module really ran: ops of every kind applied in the final prefix
    for (const tag of [
      OpTag.Place,
      OpTag.PerpPlace,
      OpTag.MarginDeposit,
      OpTag.LendSupply,
      OpTag.LendBorrow,
      OpTag.AmmAdd,
      OpTag.AmmSwap,
    ])
      expect(applied.get(tag) ?? 0, `op 0x${tag.toString(16)} applied`).toBeGreaterThan(0)
    expect(lendingPools.some((s) => s > 0n)).toBe(true)
    expect(positions).toBeGreaterThan(0)
    expect(conserved).toBe(true)
  })
})
