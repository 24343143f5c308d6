import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getBlockNumber } from 'wagmi/actions'
import { type StartAnvilReturnType, startAnvil } from '../node/startAnvil.ts'
import { makeWagmiConfig } from './wagmiConfig.ts'

/**
 * The app's reads go over the node's WebSocket when the deployment names one, and over HTTP while it is down: each
 * read below can only succeed through the one endpoint that answers.
 */
describe('wagmi transport', () => {
  let anvil: StartAnvilReturnType
  // nothing listens on port 1 of the loopback: a connection there is refused at once
  const closed = 1
  beforeAll(async () => {
    anvil = await startAnvil()
  })
  afterAll(() => anvil?.stop())

  const settings = (rpcUrl: string, wsUrl?: string) => ({
    chainId: 31337,
    rpcUrl,
    ...(wsUrl ? { wsUrl } : {}),
    name: 'Anvil',
    devWallet: false,
  })

  it('reads over the WebSocket when HTTP does not answer', async () => {
    const config = makeWagmiConfig(settings(`http://127.0.0.1:${closed}`, anvil.wsUrl))
    expect(await getBlockNumber(config)).toBeGreaterThanOrEqual(0n)
  })

  it('falls back to HTTP when the WebSocket does not answer', async () => {
    const config = makeWagmiConfig(settings(anvil.rpcUrl, `ws://127.0.0.1:${closed}`))
    expect(await getBlockNumber(config)).toBeGreaterThanOrEqual(0n)
  })

  it('without a WebSocket endpoint, reads over HTTP only', async () => {
    await expect(getBlockNumber(makeWagmiConfig(settings(`http://127.0.0.1:${closed}`)))).rejects.toThrow()
    expect(await getBlockNumber(makeWagmiConfig(settings(anvil.rpcUrl)))).toBeGreaterThanOrEqual(0n)
  })
})
