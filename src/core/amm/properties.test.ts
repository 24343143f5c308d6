import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Op, OpTag, Side } from '../ops.ts'
import { Reject } from '../reasons.ts'
import { FEE_TIERS_BPS } from './fees.ts'
import { ammHarness, NO_DEADLINE } from './harness.ts'
import {
  largest,
  REF_TIERS,
  type RefPool,
  refAddQuote,
  refFee,
  refRemoveQuote,
  refSwapOut,
} from './reference.ts'

/**
 * Random AMM streams against the independent reference model (reference.ts), compared op by op: the same verdict,
 * the same balances, reserves, shares and fee after every op; and the invariants on the engine itself.
 */
const P = 5
const T = 2
const DEPOSIT = 1_000_000_000n
const DEFAULT_FEE = 30n
/** market → (base, quote) token: market 1 trades the tokens the other way round */
const TOKENS = [
  [0, 1],
  [1, 0],
] as const

type Step =
  | { k: 'add'; p: number; m: number; a: bigint; b: bigint; vote: number; minShares: bigint }
  | { k: 'remove'; p: number; m: number; frac: number; minBase: bigint; minQuote: bigint }
  | { k: 'swap'; p: number; m: number; side: Side; amountIn: bigint; minOut: bigint; deadline: bigint }
  | { k: 'vote'; p: number; m: number; vote: number }
  | { k: 'give'; p: number; m: number; to: number; frac: number }
  | { k: 'time'; dt: bigint }

const who = fc.integer({ min: 0, max: P - 1 })
const market = fc.constantFrom(0, 0, 0, 1)
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 3000n }),
  fc.bigInt({ min: 0n, max: 10_000_000n }),
  fc.bigInt({ min: 0n, max: 400_000_000n }),
)
const vote = fc.constantFrom(1, 5, 30, 100, 1, 5, 30, 100, 7)
const frac = fc.integer({ min: 0, max: 100 })
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('add' as const),
      p: who,
      m: market,
      a: amount,
      b: amount,
      vote,
      minShares: fc.oneof(
        { weight: 4, arbitrary: fc.constant(0n) },
        { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 5_000_000n }) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('remove' as const),
      p: who,
      m: market,
      frac,
      minBase: fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 0n, max: 1_000_000n })),
      minQuote: fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 0n, max: 1_000_000n })),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('swap' as const),
      p: who,
      m: market,
      side: fc.constantFrom(Side.Buy, Side.Sell),
      amountIn: amount,
      minOut: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 5_000_000n })),
      deadline: fc.oneof(fc.constant(NO_DEADLINE), fc.bigInt({ min: 0n, max: 20_000n })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('vote' as const), p: who, m: market, vote }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('give' as const), p: who, m: market, to: who, frac }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('time' as const), dt: fc.bigInt({ min: 0n, max: 3000n }) }),
  },
)

/** Most streams open both pools first, so that swaps and votes meet liquidity. */
const opening: fc.Arbitrary<Step[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Step[]>([]) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.bigInt({ min: 1_000_000n, max: 100_000_000n }),
        fc.bigInt({ min: 1_000_000n, max: 100_000_000n }),
        vote,
        vote,
      )
      .map(([a, b, v, w]) => [
        { k: 'add' as const, p: 0, m: 0, a, b, vote: v, minShares: 0n },
        { k: 'add' as const, p: 1, m: 0, a: b, b: a, vote: w, minShares: 0n },
        { k: 'add' as const, p: 2, m: 1, a, b: a, vote: w, minShares: 0n },
      ]),
  },
)

class Reference {
  avail = Array.from({ length: P }, () => new Array<bigint>(T).fill(DEPOSIT))
  pools: RefPool[] = TOKENS.map(() => ({ X: 0n, Y: 0n, S: 0n, lps: new Map() }))
  time = 0n

  held(pool: RefPool, p: number): bigint {
    return pool.lps.get(p)?.shares ?? 0n
  }
  setHeld(pool: RefPool, p: number, shares: bigint, vote: bigint): void {
    if (shares === 0n) pool.lps.delete(p)
    else pool.lps.set(p, { shares, vote })
  }
  fee(m: number): bigint {
    return refFee(this.pools[m]!, DEFAULT_FEE)
  }

  apply(s: Step): Reject {
    if (s.k === 'time') {
      this.time += s.dt
      return Reject.None
    }
    if (s.p === 4) return Reject.NotPermitted // the Observer
    const pool = this.pools[s.m]!
    const [base, quote] = TOKENS[s.m]!
    const bal = this.avail[s.p]!
    switch (s.k) {
      case 'add': {
        if (s.a === 0n || s.b === 0n) return Reject.ZeroAmount
        const v = BigInt(s.vote)
        if (!REF_TIERS.includes(v)) return Reject.UnknownFeeTier
        const q = refAddQuote(pool, s.a, s.b)
        if (q.minted === 0n || q.minted < s.minShares) return Reject.TooFewShares
        if (bal[base]! < q.base || bal[quote]! < q.quote) return Reject.InsufficientFunds
        bal[base]! -= q.base
        bal[quote]! -= q.quote
        if (pool.S === 0n) pool.S = 1000n
        pool.X += q.base
        pool.Y += q.quote
        pool.S += q.minted
        this.setHeld(pool, s.p, this.held(pool, s.p) + q.minted, v)
        return Reject.None
      }
      case 'remove': {
        const held = this.held(pool, s.p)
        const sh = (held * BigInt(s.frac)) / 100n
        if (sh === 0n) return Reject.ZeroAmount
        const out = refRemoveQuote(pool, sh)
        if (out.base === 0n && out.quote === 0n) return Reject.ZeroOutput
        if (out.base < s.minBase || out.quote < s.minQuote) return Reject.Slippage
        bal[base]! += out.base
        bal[quote]! += out.quote
        pool.X -= out.base
        pool.Y -= out.quote
        pool.S -= sh
        this.setHeld(pool, s.p, held - sh, pool.lps.get(s.p)!.vote)
        return Reject.None
      }
      case 'swap': {
        if (pool.S === 0n) return Reject.PoolEmpty
        if (s.amountIn === 0n) return Reject.ZeroAmount
        if (this.time > s.deadline) return Reject.DeadlinePassed
        const buy = s.side === Side.Buy
        const [tin, tout] = buy ? [quote, base] : [base, quote]
        if (bal[tin]! < s.amountIn) return Reject.InsufficientFunds
        const out = buy
          ? refSwapOut(s.amountIn, pool.Y, pool.X, this.fee(s.m))
          : refSwapOut(s.amountIn, pool.X, pool.Y, this.fee(s.m))
        if (out === 0n) return Reject.ZeroOutput
        if (out < s.minOut) return Reject.Slippage
        bal[tin]! -= s.amountIn
        bal[tout]! += out
        if (buy) {
          pool.Y += s.amountIn
          pool.X -= out
        } else {
          pool.X += s.amountIn
          pool.Y -= out
        }
        return Reject.None
      }
      case 'vote': {
        const v = BigInt(s.vote)
        if (!REF_TIERS.includes(v)) return Reject.UnknownFeeTier
        const lp = pool.lps.get(s.p)
        if (!lp) return Reject.NotLiquidityProvider
        lp.vote = v
        return Reject.None
      }
      case 'give': {
        if (s.to === s.p) return Reject.SelfTransfer
        const held = this.held(pool, s.p)
        const sh = (held * BigInt(s.frac)) / 100n
        if (sh === 0n) return Reject.ZeroAmount
        const from = pool.lps.get(s.p)!
        const to = pool.lps.get(s.to)
        this.setHeld(pool, s.p, held - sh, from.vote)
        this.setHeld(pool, s.to, (to?.shares ?? 0n) + sh, to?.vote ?? from.vote)
        return Reject.None
      }
    }
  }

  /** settlement: every holder redeems pro rata, the rest of each reserve to the fee recipient (0) */
  holdings(p: number, t: number): bigint {
    let v = this.avail[p]![t]!
    this.pools.forEach((pool, m) => {
      if (pool.S === 0n) return
      const [base, quote] = TOKENS[m]!
      const mine = (r: bigint, q: number) =>
        largest(r, (n) => n * pool.S <= (pool.lps.get(q)?.shares ?? 0n) * r)
      for (const [tok, r] of [
        [base, pool.X],
        [quote, pool.Y],
      ] as const) {
        if (tok !== t) continue
        if (p === 0) {
          let rest = r
          for (let q = 0; q < P; q++) if (q !== 0) rest -= mine(r, q)
          v += rest
        } else v += mine(r, p)
      }
    })
    return v
  }
}

function toOp(s: Exclude<Step, { k: 'time' }>, h: ReturnType<typeof ammHarness>): Op {
  const held = h.pool(s.m).shares[s.p]!
  switch (s.k) {
    case 'add':
      return {
        tag: OpTag.AmmAdd,
        market: s.m,
        baseMax: s.a,
        quoteMax: s.b,
        minShares: s.minShares,
        voteBps: s.vote,
      }
    case 'remove':
      return {
        tag: OpTag.AmmRemove,
        market: s.m,
        shares: (held * BigInt(s.frac)) / 100n,
        minBase: s.minBase,
        minQuote: s.minQuote,
      }
    case 'swap':
      return {
        tag: OpTag.AmmSwap,
        market: s.m,
        side: s.side,
        amountIn: s.amountIn,
        minOut: s.minOut,
        deadline: s.deadline,
      }
    case 'vote':
      return { tag: OpTag.AmmVote, market: s.m, voteBps: s.vote }
    case 'give':
      return { tag: OpTag.AmmShareTransfer, market: s.m, to: s.to, shares: (held * BigInt(s.frac)) / 100n }
  }
}

describe('AMM against the reference model, op by op', () => {
  it('same verdicts, balances, reserves, shares, fees and settlement values; invariants hold', () => {
    let accepted = 0
    let swaps = 0
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60, size: 'medium' }), opening, (body, open) => {
        const h = ammHarness({ amount: DEPOSIT })
        const ref = new Reference()
        for (const s of [...open, ...body]) {
          if (s.k === 'time') {
            h.time += s.dt
            ref.apply(s)
            continue
          }
          const op = toOp(s, h)
          const before = h.pool(s.m)
          const r = h.apply(s.p, op)
          expect(r).toBe(ref.apply(s))
          if (r === Reject.None) accepted++
          const pool = h.pool(s.m)
          const rp = ref.pools[s.m]!
          // k = x·y never decreases on a swap, and a swap moves no shares
          if (op.tag === OpTag.AmmSwap && r === Reject.None) {
            swaps++
            expect(pool.reserveBase * pool.reserveQuote).toBeGreaterThanOrEqual(
              before.reserveBase * before.reserveQuote,
            )
            expect(pool.totalShares).toBe(before.totalShares)
          }
          expect([pool.reserveBase, pool.reserveQuote, pool.totalShares]).toEqual([rp.X, rp.Y, rp.S])
          for (let p = 0; p < P; p++) {
            expect(pool.shares[p]).toBe(rp.lps.get(p)?.shares ?? 0n)
            if (pool.shares[p]! > 0n) expect(FEE_TIERS_BPS[pool.votes[p]!]).toBe(rp.lps.get(p)!.vote)
          }
          // the fee is the share-weighted median of the votes; voting shares are all but the locked ones
          expect(pool.feeBps).toBe(ref.fee(s.m))
          const voting = pool.tierWeight.reduce((a, w) => a + w, 0n)
          expect(voting).toBe(pool.totalShares === 0n ? 0n : pool.totalShares - 1000n)
          for (let p = 0; p < P; p++)
            for (let t = 0; t < T; t++) {
              const a = h.avail(p, t)
              expect(a).toBe(ref.avail[p]![t]!)
              expect(a).toBeGreaterThanOrEqual(0n)
            }
        }
        // conservation of every token, fees included: the settlement values sum to what was deposited
        for (let t = 0; t < T; t++) {
          let sum = 0n
          for (let p = 0; p < P; p++) {
            const v = h.state.holdings(p, t)
            expect(v).toBe(ref.holdings(p, t))
            expect(v).toBeGreaterThanOrEqual(0n)
            sum += v
          }
          expect(sum).toBe(BigInt(P) * DEPOSIT)
        }
      }),
      { numRuns: 100 },
    )
    // the streams exercise the rules rather than bouncing off them (about 1,400 accepted ops and 500 swaps per run
    // on average; the bounds leave room for fast-check's random seeds)
    expect(accepted).toBeGreaterThan(600)
    expect(swaps).toBeGreaterThan(150)
  })

  it('no single LP holding less than half of the voting shares moves the fee past the others’ median', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ w: fc.bigInt({ min: 1n, max: 1000n }), v: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.bigInt({ min: 1n, max: 1000n }),
        (others, big) => {
          const total = others.reduce((a, o) => a + o.w, 0n)
          if (2n * big >= total + big) return // a majority holder is the median by definition
          const fees = FEE_TIERS_BPS.map((_, bigVote) => {
            const pool: RefPool = { X: 1n, Y: 1n, S: 1n, lps: new Map() }
            others.forEach((o, i) => {
              pool.lps.set(i, { shares: o.w, vote: FEE_TIERS_BPS[o.v]! })
            })
            pool.lps.set(99, { shares: big, vote: FEE_TIERS_BPS[bigVote]! })
            return refFee(pool, 30n)
          })
          // whatever it votes, the fee stays within the others' lower and upper weighted medians
          const sorted = others.map((o) => FEE_TIERS_BPS[o.v]!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          const lo = sorted[0]!
          const hi = sorted[sorted.length - 1]!
          for (const f of fees) {
            expect(f >= lo && f <= hi).toBe(true)
          }
          // and the fee moves monotonically with its vote
          for (let i = 1; i < fees.length; i++) expect(fees[i]! >= fees[i - 1]!).toBe(true)
        },
      ),
    )
  })
})
