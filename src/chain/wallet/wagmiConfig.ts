import { defineChain } from 'viem'
import { createConfig, http } from 'wagmi'
import { injected } from 'wagmi/connectors'
import { createDevWalletProvider } from './devWallet.ts'

export type ChainSettings = { chainId: number; rpcUrl: string; name: string; devWallet: boolean }

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
  // fetch costs the renderer more than the read it carries (bench:sync profile, src/chain CONTEXT)
  return createConfig({
    chains: [chain],
    connectors,
    transports: { [chain.id]: http(s.rpcUrl, { batch: true }) },
  })
}
