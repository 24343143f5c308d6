import { describe, expect, it } from 'vitest'
import { simulate } from './simulate.ts'

const replay = (p: { participants: number; byzantine: number; silent?: number; seed: number; ops: number }) =>
  `replay: npm run sim -- --participants ${p.participants} --ops ${p.ops} --byzantine ${p.byzantine} --silent ${p.silent ?? 0} --seed ${p.seed}`

describe('simulator (THREATS rows 1–8, 20: finality under Byzantine and silent participants)', () => {
  it.each([
    { participants: 4, byzantine: 1, silent: 0, seed: 1, ops: 700 },
    { participants: 4, byzantine: 1, silent: 0, seed: 2, ops: 700 },
    { participants: 4, byzantine: 0, silent: 1, seed: 3, ops: 700 },
    { participants: 7, byzantine: 1, silent: 1, seed: 4, ops: 500 },
  ])(
    'inside the fault model: one root, no reversal, no conflicting finality, ≥ 90 % final ($participants/$byzantine/$silent)',
    (p) => {
      const r = simulate(p)
      expect(r.withinFaultModel).toBe(true)
      expect(r.converged, replay(p)).toBe(true)
      expect(r.replayMatches, replay(p)).toBe(true)
      expect(r.finalReversals, replay(p)).toBe(0)
      expect(r.conflictingFinal, replay(p)).toBe(false)
      // Byzantine checkpoint signatures never add up to a divergence at an honest replica
      expect(r.divergedHonest, replay(p)).toEqual([])
      expect(r.finalOps, replay(p)).toBeGreaterThanOrEqual(Math.ceil(0.9 * r.honestOps))
      // every Byzantine participant equivocated at least once and was caught by every honest replica
      for (let b = 0; b < p.byzantine; b++)
        expect(r.provablyFaulty).toContain(p.participants - p.silent - p.byzantine + b)
      expect(r.equivocatorsAgree).toBe(true)
      // forged, replayed and garbage blocks were refused at ingress
      if (p.byzantine > 0) expect(r.rejected).toBeGreaterThan(0)
      expect(r.certifiedCheckpoints).toBeGreaterThan(0)
      expect(r.finalLatencyRounds.p50).toBeGreaterThanOrEqual(2)
    },
  )

  it('with a reference depth of 3 rounds (the bounded-frontier rule at its tightest): one root, every honest op final', () => {
    for (const p of [
      { participants: 4, byzantine: 1, silent: 0, seed: 11, ops: 600, refDepth: 3 },
      { participants: 7, byzantine: 1, silent: 1, seed: 12, ops: 400, refDepth: 3 },
    ]) {
      const r = simulate(p)
      expect(r.converged, `${replay(p)} --ref-depth 3`).toBe(true)
      expect(r.replayMatches).toBe(true)
      expect(r.finalReversals).toBe(0)
      expect(r.conflictingFinal).toBe(false)
      expect(r.finalOps).toBeGreaterThanOrEqual(Math.ceil(0.9 * r.honestOps))
      expect(r.certifiedCheckpoints).toBeGreaterThan(0)
    }
  }, 300_000)

  it('beyond the fault model: no conflicting finality without evidence against at least 2q − n participants', () => {
    const p = { participants: 4, byzantine: 2, seed: 5, ops: 500 }
    const r = simulate(p)
    expect(r.withinFaultModel).toBe(false)
    if (r.conflictingFinal)
      expect(r.provablyFaulty.length).toBeGreaterThanOrEqual(2 * r.quorum - r.participants)
    expect(r.converged || r.provablyFaulty.length >= 2 * r.quorum - r.participants, replay(p)).toBe(true)
  })

  it('is reproducible from its seed', () => {
    const a = simulate({ participants: 4, ops: 300, byzantine: 1, seed: 77 })
    const b = simulate({ participants: 4, ops: 300, byzantine: 1, seed: 77 })
    expect(b.roots).toEqual(a.roots)
    expect(b.rejectedByReason).toEqual(a.rejectedByReason)
  })
})

describe('simulator with perps in the mix', () => {
  it('converges with a Byzantine peer, no reversal, and the perp market really trades', () => {
    const p = {
      participants: 4,
      byzantine: 1,
      silent: 0,
      seed: 11,
      ops: 800,
      mix: ['spot', 'perps'] as const,
    }
    let perpTrades = 0
    let positions = 0
    let oracle: bigint | undefined
    const r = simulate({
      ...p,
      mix: [...p.mix],
      inspect: (reps) => {
        const s = reps.get(0)!.finalState()
        // the final state carries no execution log; the live one has every trade
        perpTrades = reps.get(0)!.state.trades.filter((t) => t.market === 1).length
        positions = s.perps!.positions.filter((x) => x !== undefined && x.size !== 0n).length
        oracle = s.perps!.oracle[1]
      },
    })
    expect(r.mix).toEqual(['spot', 'perps'])
    expect(r.converged, `${replay(p)} --mix spot,perps`).toBe(true)
    expect(r.replayMatches).toBe(true)
    expect(r.finalReversals).toBe(0)
    expect(r.conflictingFinal).toBe(false)
    expect(r.finalOps).toBeGreaterThanOrEqual(Math.ceil(0.9 * r.honestOps))
    expect(oracle).toBeDefined()
    expect(perpTrades).toBeGreaterThan(0)
    expect(positions).toBeGreaterThan(0)
  })
})
