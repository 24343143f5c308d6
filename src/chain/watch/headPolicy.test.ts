import { describe, expect, it } from 'vitest'
import { headCacheKey } from './headCache.ts'
import { afterPoll, type HeadPolicy, INITIAL_HEAD_STATE, nextDelayMs } from './headPolicy.ts'

const policy: HeadPolicy = { intervalMs: 2000, jitter: 0.25, maxBackoffMs: 20_000 }

describe('afterPoll', () => {
  it('reports the first head and each change, not a repeat', () => {
    let s = INITIAL_HEAD_STATE
    const first = afterPoll(s, 5n)
    expect(first.changed).toBe(true)
    s = first.state
    expect(afterPoll(s, 5n).changed).toBe(false)
    expect(afterPoll(s, 6n).changed).toBe(true)
  })
  it('a lower head (reorg, reverted dev chain) is a change too', () => {
    expect(afterPoll({ head: 9n, failures: 0 }, 7n)).toEqual({
      state: { head: 7n, failures: 0 },
      changed: true,
    })
  })
  it('a failure keeps the head, counts, and one answer clears the count', () => {
    const s1 = afterPoll({ head: 3n, failures: 0 }, undefined)
    expect(s1).toEqual({ state: { head: 3n, failures: 1 }, changed: false })
    const s2 = afterPoll(s1.state, undefined).state
    expect(s2.failures).toBe(2)
    expect(afterPoll(s2, 3n)).toEqual({ state: { head: 3n, failures: 0 }, changed: false })
  })
})

describe('nextDelayMs', () => {
  it('waits the interval while the node answers, spread by the jitter both ways', () => {
    const ok = { head: 1n, failures: 0 }
    expect(nextDelayMs(policy, ok, 0.5)).toBe(2000)
    expect(nextDelayMs(policy, ok, 0)).toBe(1500)
    expect(nextDelayMs(policy, ok, 0.999999)).toBe(2500)
  })
  it('doubles per failure in a row up to the cap', () => {
    const at = (failures: number) => nextDelayMs(policy, { head: 1n, failures }, 0.5)
    expect([1, 2, 3, 4, 5, 50].map(at)).toEqual([4000, 8000, 16000, 20000, 20000, 20000])
  })
  it('never below the interval when the cap is smaller, never zero', () => {
    expect(
      nextDelayMs({ intervalMs: 5000, jitter: 0, maxBackoffMs: 1000 }, { head: 1n, failures: 3 }, 0.5),
    ).toBe(5000)
    expect(nextDelayMs({ intervalMs: 0, jitter: 0, maxBackoffMs: 0 }, INITIAL_HEAD_STATE, 0.5)).toBe(1)
  })
})

describe('headCacheKey', () => {
  it('keys state reads at latest or at a block by method and params', () => {
    const call = [{ to: '0xab', data: '0x01' }, 'latest']
    expect(headCacheKey('eth_call', call)).toBe(
      headCacheKey('eth_call', [{ to: '0xab', data: '0x01' }, 'latest']),
    )
    expect(headCacheKey('eth_call', call)).not.toBe(
      headCacheKey('eth_call', [{ to: '0xab', data: '0x02' }, 'latest']),
    )
    expect(headCacheKey('eth_getBlockByNumber', ['latest', false])).toBeDefined()
    expect(headCacheKey('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }])).toBeDefined()
  })
  it('never caches the head itself, receipts, nonces, gas, sends or the pending block', () => {
    for (const m of [
      'eth_blockNumber',
      'eth_getTransactionReceipt',
      'eth_getTransactionCount',
      'eth_estimateGas',
      'eth_sendRawTransaction',
      'eth_sendTransaction',
    ])
      expect(headCacheKey(m, [])).toBeUndefined()
    expect(headCacheKey('eth_call', [{ to: '0xab' }, 'pending'])).toBeUndefined()
  })
})
