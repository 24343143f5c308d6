import type { EIP1193Provider } from 'viem'

/**
 * An EIP-1193 provider for a local development chain (anvil): its dev accounts are unlocked on the node, so
 * signing and sending are forwarded as JSON-RPC. Only account selection and chain switching are answered here.
 * Never offered for other chains.
 */
export type DevWalletParameters = { rpcUrl: string; chainId: number; account?: `0x${string}` }

export function createDevWalletProvider({ rpcUrl, chainId, account }: DevWalletParameters): EIP1193Provider {
  let selected: `0x${string}` | undefined = account
  // like a wallet extension: no accounts are exposed until the user connects
  let granted = false
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>()
  let id = 0
  const rpc = async (method: string, params: unknown) => {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: params ?? [] }),
    })
    const body = (await res.json()) as {
      result?: unknown
      error?: { code: number; message: string; data?: unknown }
    }
    if (body.error)
      throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data })
    return body.result
  }
  const provider = {
    async request({ method, params }: { method: string; params?: unknown }) {
      switch (method) {
        case 'eth_accounts':
          return granted && selected ? [selected] : []
        case 'eth_requestAccounts': {
          granted = true
          if (!selected) {
            const accounts = (await rpc('eth_accounts', [])) as `0x${string}`[]
            selected = accounts[0]
          }
          return selected ? [selected] : []
        }
        case 'eth_chainId':
          return `0x${chainId.toString(16)}`
        case 'wallet_switchEthereumChain': {
          const wanted = Number.parseInt((params as [{ chainId: string }])[0].chainId, 16)
          if (wanted !== chainId)
            throw Object.assign(new Error(`dev wallet only serves chain ${chainId}`), { code: 4902 })
          return null
        }
        case 'wallet_requestPermissions':
          return [{ parentCapability: 'eth_accounts' }]
        case 'wallet_getPermissions':
          return [{ parentCapability: 'eth_accounts' }]
        case 'wallet_revokePermissions':
          granted = false
          return null
        default:
          return rpc(method, params)
      }
    },
    on(event: string, fn: (...args: unknown[]) => void) {
      const set = listeners.get(event) ?? new Set()
      set.add(fn)
      listeners.set(event, set)
    },
    removeListener(event: string, fn: (...args: unknown[]) => void) {
      listeners.get(event)?.delete(fn)
    },
    /** pick another dev account (the UI's account switcher) */
    selectAccount(a: `0x${string}`) {
      selected = a
      for (const fn of listeners.get('accountsChanged') ?? []) fn([a])
    },
  }
  return provider as unknown as EIP1193Provider
}
