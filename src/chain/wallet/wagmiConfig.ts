import { defineChain } from 'viem'
import { createConfig, fallback, http, webSocket } from 'wagmi'
import { injected } from 'wagmi/connectors'
import { createDevWalletProvider } from './devWallet.ts'

export type ChainSettings = {
  chainId: number
  rpcUrl: string
  /** a WebSocket endpoint of the same node, when it has one: reads go over it, HTTP stays the fallback */
  wsUrl?: string
  name: string
  devWallet: boolean
}

/**
 * wagmi config for one settlement chain: injected wallets (EIP-6963 discovery is on by default) and, on a local
 * development chain, a dev wallet over the node's unlocked accounts.
 */
export function makeWagmiConfig(s: ChainSettings) {
  const chain = defineChain({
    id: s.chainId,
    name: s.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [s.rpcUrl] } },
  })
  const connectors = [injected()]
  if (s.devWallet)
    connectors.push(
      injected({
        target: {
          id: 'devWallet',
          name: 'Local dev wallet',
          provider: createDevWalletProvider({
            rpcUrl: s.rpcUrl,
            chainId: s.chainId,
            // per tab, as the account choice is: a reload stays connected, another tab connects on its own
            storage: typeof sessionStorage === 'undefined' ? undefined : sessionStorage,
          }) as never,
        },
      }),
    )
  // reads made in one task go in one JSON-RPC batch: each tab re-reads several views on every new block, and each
  // fetch costs the renderer more than the read it carries (bench:sync profile, src/chain CONTEXT). Over the node's
  // WebSocket, when it has one, a read is one message on an open socket: no request set up per read (~35 ms/s of
  // a busy renderer's main thread in fetch alone, docs/BENCHMARKS.md); HTTP takes over while the socket is down.
  const overHttp = http(s.rpcUrl, { batch: true })
  return createConfig({
    chains: [chain],
    connectors,
    transports: { [chain.id]: s.wsUrl ? fallback([webSocket(s.wsUrl), overHttp]) : overHttp },
  })
}
