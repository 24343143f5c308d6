import { describe, expect, it } from 'vitest'
import { ConfigError, parseAppConfig } from './config.ts'

const base = {
  chain: { chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' },
  settlement: `0x${'11'.repeat(20)}`,
  tokens: [{ address: `0x${'22'.repeat(20)}`, symbol: 'USD', decimals: 6 }],
  signaling: ['ws://127.0.0.1:4444'],
}

describe('parseAppConfig', () => {
  it('keeps the node WebSocket endpoint when the deployment names one', () => {
    const c = parseAppConfig({ ...base, chain: { ...base.chain, wsUrl: 'ws://127.0.0.1:8545' } })
    expect(c.chain.wsUrl).toBe('ws://127.0.0.1:8545')
    expect(parseAppConfig(base).chain.wsUrl).toBeUndefined()
  })

  it('refuses a WebSocket endpoint that is not a ws:// or wss:// URL', () => {
    for (const wsUrl of ['http://127.0.0.1:8545', 8545, ''])
      expect(() => parseAppConfig({ ...base, chain: { ...base.chain, wsUrl } })).toThrow(ConfigError)
  })
})
