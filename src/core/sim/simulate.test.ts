import { describe, expect, it } from 'vitest'
import { simulate } from './simulate.ts'

describe('simulator (THREATS rows 1–8 end to end)', () => {
  it.each([1, 2, 3, 4])(
    'honest replicas converge under Byzantine peers, reordering and partitions (seed %i)',
    (seed) => {
      const r = simulate({ participants: 5, ops: 1500, byzantine: 1, seed })
      expect(
        r.converged,
        `replay: npm run sim -- --participants 5 --ops 1500 --byzantine 1 --seed ${seed}`,
      ).toBe(true)
      expect(new Set(r.roots).size).toBe(1)
      expect(r.equivocatorsAgree).toBe(true)
      // the Byzantine participant's forged, replayed and garbage blocks were refused at ingress
      expect(r.rejected).toBeGreaterThan(0)
      expect(r.finalCheckpoints).toBe(1)
    },
  )

  it('is reproducible from its seed', () => {
    const a = simulate({ participants: 4, ops: 800, byzantine: 1, seed: 77 })
    const b = simulate({ participants: 4, ops: 800, byzantine: 1, seed: 77 })
    expect(b.roots).toEqual(a.roots)
    expect(b.rejectedByReason).toEqual(a.rejectedByReason)
  })
})
