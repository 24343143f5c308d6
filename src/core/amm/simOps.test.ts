import { describe, expect, it } from 'vitest'
import { Reject } from '../reasons.ts'
import { randomAmmOp } from '../sim/ammOps.ts'
import { Rng } from '../sim/rng.ts'
import { ammHarness } from './harness.ts'

describe('the simulator’s random AMM ops', () => {
  it('exercise every op, mostly accepted, conserving both tokens', () => {
    const h = ammHarness({ amount: 1_000_000n })
    const rng = new Rng(7)
    const accepted = new Map<number, number>()
    for (let i = 0; i < 3000; i++) {
      const author = rng.int(0, 4)
      h.time += BigInt(rng.int(0, 50))
      const op = randomAmmOp(rng, author, 5, h.time)
      if (h.apply(author, op) === Reject.None) accepted.set(op.tag, (accepted.get(op.tag) ?? 0) + 1)
    }
    for (const tag of [0x58, 0x59, 0x5a, 0x5b, 0x5c]) expect(accepted.get(tag) ?? 0).toBeGreaterThan(20)
    for (const t of [0, 1]) {
      let sum = 0n
      for (let p = 0; p < 5; p++) sum += h.state.holdings(p, t)
      expect(sum).toBe(5_000_000n)
    }
  })
})
