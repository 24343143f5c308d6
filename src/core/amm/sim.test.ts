import { describe, expect, it } from 'vitest'
import { simulate } from '../sim/simulate.ts'

describe('simulator with the AMM in the mix', () => {
  it('converges with a Byzantine peer, no reversal, and the pool really trades', () => {
    const p = { participants: 4, byzantine: 1, silent: 0, seed: 13, ops: 800 }
    let pool: { reserveBase: bigint; totalShares: bigint; feeBps: bigint } | undefined
    let conserved = true
    const r = simulate({
      ...p,
      mix: ['spot', 'amm'],
      inspect: (reps) => {
        const s = reps.get(0)!.finalState()
        pool = s.amm!.pools[0]
        for (const t of [0, 1]) {
          let sum = 0n
          for (let q = 0; q < s.P; q++) sum += s.holdings(q, t)
          // every participant's genesis deposit (10¹² of each token), whatever the pool and the book did with it
          conserved &&= sum === BigInt(s.P) * 10n ** 12n
        }
      },
    })
    const replay = `npm run sim -- --seed ${p.seed} --participants ${p.participants} --ops ${p.ops} --byzantine 1 --mix spot,amm`
    expect(r.mix).toEqual(['spot', 'amm'])
    expect(r.converged, replay).toBe(true)
    expect(r.replayMatches).toBe(true)
    expect(r.finalReversals).toBe(0)
    expect(r.conflictingFinal).toBe(false)
    expect(r.finalOps).toBeGreaterThanOrEqual(Math.ceil(0.9 * r.honestOps))
    expect(pool!.totalShares).toBeGreaterThan(1000n)
    expect(conserved).toBe(true)
  })
})
