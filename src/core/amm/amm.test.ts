import { describe, expect, it } from 'vitest'
import { computeChannelId, openChannel } from '../channel.ts'
import { checkOp } from '../opCheck.ts'
import { decodeOps, encodeOps, OpDecodeError } from '../opCodec.ts'
import { type Op, OpTag, Side } from '../ops.ts'
import { REJECT_NAMES, Reject } from '../reasons.ts'
import { balanceLeaves, stateRoot } from '../roots.ts'
import { ChannelState, exactRead, mergeTimeReads } from '../state.ts'
import { makeTestChannel, testDeposits } from '../testing.ts'
import { FEE_TIERS_BPS, feeTierIndex, medianFee } from './fees.ts'
import { ammChannel, ammHarness, NO_DEADLINE } from './harness.ts'
import { isqrt, swapOutput } from './math.ts'
import { MINIMUM_LIQUIDITY } from './pool.ts'

const U128 = (1n << 128n) - 1n
const ammOps: Op[] = [
  { tag: OpTag.AmmAdd, market: 3, baseMax: U128, quoteMax: 1n, minShares: 0n, voteBps: 65_535 },
  { tag: OpTag.AmmRemove, market: 0, shares: 5n, minBase: U128, minQuote: 7n },
  { tag: OpTag.AmmSwap, market: 65_535, side: Side.Sell, amountIn: 9n, minOut: 8n, deadline: NO_DEADLINE },
  { tag: OpTag.AmmVote, market: 1, voteBps: 30 },
  { tag: OpTag.AmmShareTransfer, market: 2, to: 65_535, shares: U128 },
]

describe('AMM op codec', () => {
  it('round-trips every AMM op with fixed body sizes', () => {
    const bytes = encodeOps(ammOps)
    expect(bytes.length).toBe(2 + (1 + 52) + (1 + 50) + (1 + 43) + (1 + 4) + (1 + 20))
    expect(decodeOps(bytes)).toEqual(ammOps)
    for (const op of ammOps) expect(checkOp(op)).toEqual({ ok: true })
  })
  it('rejects a bad side, truncation and trailing bytes; refuses out-of-range fields', () => {
    const swap = encodeOps([ammOps[2]!])
    const bad = swap.slice()
    bad[2 + 1 + 2] = 2
    expect(() => decodeOps(bad)).toThrow(OpDecodeError)
    for (const op of ammOps) {
      const b = encodeOps([op])
      expect(() => decodeOps(b.slice(0, -1))).toThrow(OpDecodeError)
      const longer = new Uint8Array(b.length + 1)
      longer.set(b)
      expect(() => decodeOps(longer)).toThrow(OpDecodeError)
    }
    const r = checkOp({ ...(ammOps[2] as Extract<Op, { tag: 0x5a }>), deadline: 1n << 64n })
    expect(r.ok === false && r.field).toBe('deadline')
    expect(() => encodeOps([{ ...ammOps[0]!, voteBps: 65_536 } as Op])).toThrow(RangeError)
  })
  it('every AMM reject code has its text', () => {
    for (let c = 60; c <= 68; c++) expect(REJECT_NAMES[c]).toBeTruthy()
  })
})

describe('AMM channel params', () => {
  it('defaultFeeBps must be a fee tier; the AMM params are not part of the channel id', () => {
    const tc = ammChannel()
    expect(tc.channel.config.params.amm?.defaultFeeBps).toBe(30n)
    const plain = makeTestChannel({ participants: 5, label: 'amm', roles: [0, 0, 0, 0, 3] })
    expect(computeChannelId(tc.channel.config)).toEqual(computeChannelId(plain.channel.config))
    const config = tc.channel.config
    expect(() =>
      openChannel({ ...config, params: { ...config.params, amm: { defaultFeeBps: 7n } } }),
    ).toThrow(/params\.amm\.defaultFeeBps/)
  })
  it('a channel without params.amm has no pools and refuses AMM ops', () => {
    const tc = makeTestChannel({ participants: 3 })
    const s = new ChannelState(tc.channel)
    expect(s.amm).toBeUndefined()
    const r = s.apply(ammOps[3]!, { author: 0, seq: 1n, index: 0, height: 0, block: 'b', time: 0n })
    expect(r).toBe(Reject.NoPool)
  })
})

describe('fee tiers and the share-weighted median', () => {
  it('knows the tiers and nothing else', () => {
    expect(FEE_TIERS_BPS).toEqual([1n, 5n, 30n, 100n])
    expect(feeTierIndex(30)).toBe(2)
    expect(feeTierIndex(2)).toBe(-1)
    expect(feeTierIndex(1.5)).toBe(-1)
  })
  it('is the lowest tier holding half of the weight at or below it', () => {
    expect(medianFee([0n, 0n, 0n, 0n], 30n)).toBe(30n)
    expect(medianFee([1n, 0n, 0n, 1n], 30n)).toBe(1n)
    expect(medianFee([1n, 0n, 0n, 2n], 30n)).toBe(100n)
    expect(medianFee([10n, 20n, 30n, 40n], 30n)).toBe(30n)
    expect(medianFee([49n, 0n, 0n, 51n], 30n)).toBe(100n)
  })
})

describe('adding liquidity', () => {
  it('the first deposit sets the price and locks MINIMUM_LIQUIDITY shares', () => {
    const h = ammHarness()
    expect(h.add(0, 4_000_000n, 1_000_000n, 5)).toBe(Reject.None)
    const pool = h.pool()
    expect(pool.reserveBase).toBe(4_000_000n)
    expect(pool.reserveQuote).toBe(1_000_000n)
    expect(pool.totalShares).toBe(2_000_000n)
    expect(pool.shares[0]).toBe(2_000_000n - MINIMUM_LIQUIDITY)
    expect(pool.feeBps).toBe(5n)
    expect(h.avail(0, 0)).toBe(1_000_000_000n - 4_000_000n)
    expect(h.avail(0, 1)).toBe(1_000_000_000n - 1_000_000n)
  })
  it('a first deposit that mints no more than the locked minimum is refused', () => {
    const h = ammHarness()
    expect(h.add(0, 1000n, 1000n)).toBe(Reject.TooFewShares)
    expect(h.add(0, 1001n, 1001n)).toBe(Reject.None)
    expect(h.pool().shares[0]).toBe(1n)
  })
  it('later deposits take the pool ratio (rounded up) and mint proportionally (rounded down)', () => {
    const h = ammHarness()
    h.add(0, 3_000_000n, 1_000_000n)
    const S = h.pool().totalShares // ⌊√3·10¹²⌋
    expect(S).toBe(isqrt(3_000_000_000_000n))
    // asks for 1,000 base and up to 10,000 quote: base binds
    expect(h.add(1, 1000n, 10_000n)).toBe(Reject.None)
    const minted = (1000n * S) / 3_000_000n
    expect(h.pool().shares[1]).toBe(minted)
    const takenBase = 1_000_000_000n - h.avail(1, 0)
    const takenQuote = 1_000_000_000n - h.avail(1, 1)
    expect(takenBase).toBe((minted * 3_000_000n + S - 1n) / S)
    expect(takenQuote).toBe((minted * 1_000_000n + S - 1n) / S)
    expect(takenBase).toBeLessThanOrEqual(1000n)
    // the share price never falls: reserve per share is at least what it was
    const p = h.pool()
    expect(p.reserveBase * S).toBeGreaterThanOrEqual(3_000_000n * p.totalShares)
    expect(p.reserveQuote * S).toBeGreaterThanOrEqual(1_000_000n * p.totalShares)
  })
  it('refuses fewer shares than minShares, zero amounts, unknown tiers and missing funds', () => {
    const h = ammHarness({ amount: 10_000_000n })
    expect(h.add(0, 0n, 5n)).toBe(Reject.ZeroAmount)
    expect(h.add(0, 1_000_000n, 1_000_000n, 7)).toBe(Reject.UnknownFeeTier)
    expect(h.add(0, 1_000_000n, 1_000_000n, 30, 1_000_000n)).toBe(Reject.TooFewShares)
    expect(h.add(0, 20_000_000n, 1_000_000n)).toBe(Reject.InsufficientFunds)
    expect(h.add(0, 1_000_000n, 1_000_000n, 30, 999_000n)).toBe(Reject.None)
    expect(h.add(1, 1n, 1_000_000n)).toBe(Reject.None) // mints 1 share for 1 base, ⌈1·10⁶/10⁶⌉ = 1 quote
    expect(h.pool().shares[1]).toBe(1n)
    expect(h.add(1, 1n, 0n)).toBe(Reject.ZeroAmount)
  })
  it('an Observer cannot provide liquidity or swap; unknown markets are refused', () => {
    const h = ammHarness()
    expect(h.add(4, 1_000_000n, 1_000_000n)).toBe(Reject.NotPermitted)
    expect(h.add(0, 1_000_000n, 1_000_000n, 30, 0n, 9)).toBe(Reject.UnknownMarket)
    h.add(0, 1_000_000n, 1_000_000n)
    expect(h.swap(4, { side: Side.Buy, amountIn: 10n })).toBe(Reject.NotPermitted)
    expect(h.give(4, 0, 1n)).toBe(Reject.NotPermitted)
  })
})

describe('removing liquidity', () => {
  it('pays ⌊shares·reserve/total⌋ of both reserves and burns the shares', () => {
    const h = ammHarness()
    h.add(0, 3_000_001n, 1_000_003n)
    const p0 = h.pool()
    const sh = p0.shares[0]! / 3n
    expect(h.remove(0, sh)).toBe(Reject.None)
    const p1 = h.pool()
    expect(p1.totalShares).toBe(p0.totalShares - sh)
    expect(p0.reserveBase - p1.reserveBase).toBe((sh * p0.reserveBase) / p0.totalShares)
    expect(p0.reserveQuote - p1.reserveQuote).toBe((sh * p0.reserveQuote) / p0.totalShares)
  })
  it('refuses more than held, below the minimum outputs, and amounts that round to zero', () => {
    const h = ammHarness()
    h.add(0, 4_000_000n, 1_000_000n)
    const held = h.pool().shares[0]!
    expect(h.remove(0, held + 1n)).toBe(Reject.InsufficientShares)
    expect(h.remove(1, 1n)).toBe(Reject.InsufficientShares)
    expect(h.remove(0, 1000n, 2001n)).toBe(Reject.Slippage)
    expect(h.remove(0, 1000n, 2000n, 500n)).toBe(Reject.None)
    expect(h.remove(0, 0n)).toBe(Reject.ZeroAmount)
    // a pool where one share is worth less than one unit of either token
    const g = ammHarness()
    g.add(0, 1_000_000n, 1_000_000_000n / 2n)
    g.add(1, 1_000_000n, 1_000_000_000n / 2n)
    g.swap(2, { side: Side.Buy, amountIn: 400_000_000n })
    expect(g.pool().reserveBase).toBeLessThan(g.pool().totalShares)
  })
  it('the last LP leaves: the locked shares keep the reserves above zero and its vote is dropped', () => {
    const h = ammHarness()
    h.add(0, 1_000_000n, 1_000_000n, 100)
    expect(h.remove(0, h.pool().shares[0]!)).toBe(Reject.None)
    const p = h.pool()
    expect(p.totalShares).toBe(MINIMUM_LIQUIDITY)
    expect(p.reserveBase).toBe(1000n)
    expect(p.votes[0]).toBe(-1)
    expect(p.feeBps).toBe(30n) // the channel default again
    expect(h.vote(0, 5)).toBe(Reject.NotLiquidityProvider)
  })
})

describe('swaps', () => {
  it('exact-in at the voted fee: Uniswap v2 output, the fee stays in the reserves, k grows', () => {
    const h = ammHarness()
    h.add(0, 10_000_000n, 5_000_000n, 100)
    const before = h.pool()
    expect(h.swap(1, { side: Side.Buy, amountIn: 100_000n })).toBe(Reject.None)
    const out = (100_000n * 9_900n * 10_000_000n) / (5_000_000n * 10_000n + 100_000n * 9_900n)
    expect(out).toBe(swapOutput(100_000n, 5_000_000n, 10_000_000n, 100n))
    expect(h.avail(1, 0)).toBe(1_000_000_000n + out)
    expect(h.avail(1, 1)).toBe(1_000_000_000n - 100_000n)
    const after = h.pool()
    expect(after.reserveBase).toBe(before.reserveBase - out)
    expect(after.reserveQuote).toBe(before.reserveQuote + 100_000n)
    expect(after.reserveBase * after.reserveQuote).toBeGreaterThan(before.reserveBase * before.reserveQuote)
    // selling base back: the other direction
    expect(h.swap(1, { side: Side.Sell, amountIn: out })).toBe(Reject.None)
    expect(h.avail(1, 1)).toBeLessThan(1_000_000_000n) // paid the fee twice
  })
  it('a round trip by a swapper leaves the LP richer (fees accrue to liquidity providers)', () => {
    const h = ammHarness()
    h.add(0, 10_000_000n, 10_000_000n, 100)
    const sh = h.pool().shares[0]!
    for (let i = 0; i < 5; i++) {
      h.swap(1, { side: Side.Buy, amountIn: 1_000_000n })
      h.swap(1, { side: Side.Sell, amountIn: 900_000n })
    }
    const startValue = 2n * 10_000_000n
    h.remove(0, sh)
    const got = h.avail(0, 0) + h.avail(0, 1) - 2n * (1_000_000_000n - 10_000_000n)
    expect(got).toBeGreaterThan(startValue - 2n * MINIMUM_LIQUIDITY)
  })
  it('refuses below minOut, after the deadline, without funds, on an empty pool, and a zero output', () => {
    const h = ammHarness({ amount: 50_000_000n })
    expect(h.swap(1, { side: Side.Buy, amountIn: 100n })).toBe(Reject.PoolEmpty)
    h.add(0, 10_000_000n, 10_000_000n)
    const out = swapOutput(1000n, 10_000_000n, 10_000_000n, 30n)
    expect(h.swap(1, { side: Side.Buy, amountIn: 1000n, minOut: out + 1n })).toBe(Reject.Slippage)
    h.time = 5000n
    expect(h.swap(1, { side: Side.Buy, amountIn: 1000n, deadline: 4999n })).toBe(Reject.DeadlinePassed)
    expect(h.swap(1, { side: Side.Buy, amountIn: 1000n, deadline: 5000n, minOut: out })).toBe(Reject.None)
    expect(h.swap(1, { side: Side.Buy, amountIn: 50_000_001n })).toBe(Reject.InsufficientFunds)
    expect(h.swap(1, { side: Side.Buy, amountIn: 1n })).toBe(Reject.ZeroOutput)
    expect(h.swap(1, { side: Side.Buy, amountIn: 0n })).toBe(Reject.ZeroAmount)
  })
  it('a swap with a deadline records that it read the clock; one without does not', () => {
    const h = ammHarness()
    h.add(0, 10_000_000n, 10_000_000n)
    h.time = 1234n
    h.state.timeRead = undefined
    h.swap(1, { side: Side.Buy, amountIn: 1000n })
    expect(h.state.timeRead).toBeUndefined()
    h.swap(1, { side: Side.Buy, amountIn: 1000n, deadline: 9999n })
    // an exact read: no clock key equals it, so the replica replays the block at its final time
    expect(h.state.timeRead).toBe(exactRead(1234n))
    expect(h.state.timeRead).not.toBe(h.state.timeKey(1234n))
  })
  it('the exact read of a deadline stays when later ops of the block read only epochs', () => {
    expect(mergeTimeReads(exactRead(7n), 0n)).toBe(exactRead(7n))
    expect(mergeTimeReads(0n, exactRead(7n))).toBe(exactRead(7n))
    expect(mergeTimeReads(3n, undefined)).toBe(3n)
    expect(mergeTimeReads(undefined, 4n)).toBe(4n)
    expect(mergeTimeReads(3n, 4n)).toBe(4n)
  })
  it('pools are per market: market 1 trades the tokens the other way round', () => {
    const h = ammHarness()
    expect(h.add(0, 1_000_000n, 2_000_000n, 30, 0n, 1)).toBe(Reject.None)
    expect(h.pool(1).reserveBase).toBe(1_000_000n)
    expect(h.avail(0, 1)).toBe(1_000_000_000n - 1_000_000n) // market 1's base is token 1
    expect(h.pool(0).totalShares).toBe(0n)
  })
})

describe('LP fee votes', () => {
  it('the fee is the share-weighted median, recomputed on every add, removal, vote and transfer', () => {
    const h = ammHarness()
    h.add(0, 1_000_000n, 1_000_000n, 1) // 999,000 shares vote 1
    expect(h.pool().feeBps).toBe(1n)
    h.add(1, 2_000_000n, 2_000_000n, 100) // 2,000,000 vote 100
    expect(h.pool().feeBps).toBe(100n)
    h.add(2, 1_000_000n, 1_000_000n, 5) // 1,000,000 vote 5: 1 → 999,000, ≤5 → 1,999,000 of 3,999,000
    expect(h.pool().feeBps).toBe(100n)
    h.add(3, 2_000n, 2_000n, 5) // ≤ 5 now holds 2,001,000 of 4,001,000
    expect(h.pool().feeBps).toBe(5n)
    expect(h.vote(3, 100)).toBe(Reject.None)
    expect(h.pool().feeBps).toBe(100n)
    expect(h.remove(1, 100_000n)).toBe(Reject.None) // the 100-bps side loses weight
    expect(h.pool().feeBps).toBe(5n)
    expect(h.vote(0, 2)).toBe(Reject.UnknownFeeTier)
    expect(h.vote(4, 5)).toBe(Reject.NotPermitted) // an Observer
  })
  it('a single LP below half of the shares cannot move the fee past the others’ median', () => {
    const h = ammHarness()
    h.add(0, 1_000_000n, 1_000_000n, 5)
    h.add(1, 1_000_000n, 1_000_000n, 5)
    h.add(2, 1_900_000n, 1_900_000n, 1) // 49 % of the voting shares
    for (const v of [1, 5, 30, 100]) {
      expect(h.vote(2, v)).toBe(Reject.None)
      expect(h.pool().feeBps).toBe(5n)
    }
    // once it holds more than half, its vote is the median
    h.add(2, 200_000n, 200_000n, 100)
    expect(h.pool().feeBps).toBe(100n)
  })
  it('a share transfer moves the weight; a recipient without a vote adopts the sender’s', () => {
    const h = ammHarness()
    h.add(0, 1_000_000n, 1_000_000n, 1)
    h.add(1, 1_100_000n, 1_100_000n, 100)
    expect(h.pool().feeBps).toBe(100n)
    expect(h.give(1, 2, 200_000n)).toBe(Reject.None)
    expect(h.pool().votes[2]).toBe(3)
    expect(h.pool().feeBps).toBe(100n)
    expect(h.give(2, 0, 200_000n)).toBe(Reject.None) // to a voter for 1 bps: its weight now votes 1
    expect(h.pool().votes[2]).toBe(-1)
    expect(h.pool().feeBps).toBe(1n)
    expect(h.give(0, 0, 1n)).toBe(Reject.SelfTransfer)
    expect(h.give(0, 9, 1n)).toBe(Reject.UnknownParticipant)
    expect(h.give(3, 0, 1n)).toBe(Reject.InsufficientShares)
    expect(h.give(0, 3, 0n)).toBe(Reject.ZeroAmount)
  })
})

describe('settlement values pool shares', () => {
  it('redeems every share pro rata into the exit leaves; the locked part goes to the fee recipient', () => {
    const h = ammHarness()
    h.add(1, 3_000_017n, 1_000_003n, 100)
    h.add(2, 1_000_000n, 900_000n, 5)
    h.swap(3, { side: Side.Buy, amountIn: 123_457n })
    h.swap(3, { side: Side.Sell, amountIn: 77_777n })
    const pool = h.pool()
    const s = h.state
    for (const p of [1, 2]) {
      expect(s.holdings(p, 0)).toBe(h.avail(p, 0) + (pool.shares[p]! * pool.reserveBase) / pool.totalShares)
      expect(s.holdings(p, 1)).toBe(h.avail(p, 1) + (pool.shares[p]! * pool.reserveQuote) / pool.totalShares)
    }
    expect(s.holdings(0, 0)).toBeGreaterThan(h.avail(0, 0)) // the fee recipient: locked shares and rounding
    for (const t of [0, 1]) {
      let sum = 0n
      for (let p = 0; p < 5; p++) sum += s.holdings(p, t)
      expect(sum).toBe(5n * 1_000_000_000n)
      const leaves = balanceLeaves(s).filter((l) => l.token === s.channel.config.tokens[t])
      expect(leaves.reduce((a, l) => a + l.amount, 0n)).toBe(5n * 1_000_000_000n)
    }
  })
  it('the state root covers the pools', () => {
    const a = ammHarness()
    const b = ammHarness()
    expect(stateRoot(a.state)).toEqual(stateRoot(b.state))
    a.add(0, 1_000_000n, 1_000_000n, 5)
    b.add(0, 1_000_000n, 1_000_000n, 30)
    expect(stateRoot(a.state)).not.toEqual(stateRoot(b.state))
    b.vote(0, 5)
    expect(stateRoot(a.state)).toEqual(stateRoot(b.state))
    const c = a.state.clone()
    a.swap(1, { side: Side.Buy, amountIn: 10_000n })
    expect(stateRoot(c)).not.toEqual(stateRoot(a.state))
    expect(c.amm!.pools[0]!.reserveQuote).toBe(1_000_000n) // the clone kept its pool
  })
  it('genesis credits count pool value in the supply cap', () => {
    const tc = ammChannel()
    const s = new ChannelState(tc.channel)
    s.creditGenesis(testDeposits(5, 2, 10n ** 6n))
    expect(s.holdings(0, 0)).toBe(10n ** 6n)
  })
})
