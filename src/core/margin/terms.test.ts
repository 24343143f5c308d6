import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { marginAccount } from './account.ts'
import { USDC } from './harness.ts'
import { poolStreamOp, poolStreamStart } from './streams.ts'
import { lendingTerms, lendingTermsFresh } from './terms.ts'

/**
 * The per-account cache of the lending terms (terms.ts) returns what recomputation returns, after every op of random
 * perp, lending and AMM streams with the clock moving (interest accrues, marks move, pools swap, liquidations
 * redeem shares): a key that missed an input would return a stale value here.
 */
describe('the margin account cache', () => {
  it('equals recomputation after every op of random streams', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: poolStreamOp, dt: fc.constantFrom(0, 0, 1_000, 7_000) }), {
          minLength: 10,
          maxLength: 60,
        }),
        (steps) => {
          const h = poolStreamStart()
          for (const { x, dt } of steps) {
            // the views and the fold both read through the cache: fill it before the op, compare after
            for (let p = 0; p < 5; p++) marginAccount(h.state, p, 'lending')
            h.time += BigInt(dt)
            h.apply(x.author, x.op)
            const ls = h.state.lending!
            const prices = ls.prices(h.state)
            for (let p = 0; p < 5; p++)
              expect(lendingTerms(ls, h.state, p, prices)).toEqual(lendingTermsFresh(ls, h.state, p, prices))
          }
          expect(h.state.lending!.debt(0, USDC) >= 0n).toBe(true)
        },
      ),
      { numRuns: 40, seed: 12 },
    )
  })
})
