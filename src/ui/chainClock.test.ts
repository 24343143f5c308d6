import { describe, expect, it } from 'vitest'
import { ChainClock, liveDispute } from './chainClock.ts'

describe('ChainClock', () => {
  it('runs on the wall clock from the freshest block seen', () => {
    const c = new ChainClock()
    expect(c.now(0)).toBeUndefined()
    // a block mined 30 s before the read (anvil idle since): the estimate trails the chain's next block
    c.observe(1_000n, 1_030_000)
    expect(c.now(1_040_000)).toBe(1_010n)
    // a fresh block: the offset moves forward
    c.observe(1_040n, 1_040_500)
    expect(c.now(1_050_500)).toBe(1_050n)
    // an older answer arriving late never moves it back
    c.observe(1_000n, 1_060_000)
    expect(c.now(1_060_000)).toBe(1_059n)
  })

  it('follows time travel (evm_increaseTime) forward', () => {
    const c = new ChainClock()
    c.observe(100n, 100_000)
    c.observe(700n, 101_000)
    expect(c.now(102_000)).toBe(701n)
  })
})

describe('liveDispute', () => {
  const disputing = { phase: 'disputing' as const, deadline: 1_090n, now: 1_000n }
  it('counts down from the deadline by the estimated clock, though the latest block stands still', () => {
    expect(liveDispute(disputing, 1_000n)).toEqual({ phase: 'disputing', secondsLeft: 90n })
    expect(liveDispute(disputing, 1_030n)).toEqual({ phase: 'disputing', secondsLeft: 60n })
    expect(liveDispute(disputing, 1_089n)).toEqual({ phase: 'disputing', secondsLeft: 1n })
  })
  it('is finalizable once the deadline has passed', () => {
    expect(liveDispute(disputing, 1_090n)).toEqual({ phase: 'finalizable', secondsLeft: 0n })
    expect(liveDispute(disputing, 2_000n)).toEqual({ phase: 'finalizable', secondsLeft: 0n })
  })
  it('never runs behind the chain: the block read wins over a lagging estimate', () => {
    expect(liveDispute(disputing, 900n)).toEqual({ phase: 'disputing', secondsLeft: 90n })
    expect(liveDispute(disputing, undefined)).toEqual({ phase: 'disputing', secondsLeft: 90n })
  })
  it('leaves the other phases as read', () => {
    for (const phase of ['unknown', 'open', 'finalizable', 'finalized'] as const)
      expect(liveDispute({ phase, deadline: 0n, now: 5n }, 10n).phase).toBe(phase)
  })
})
