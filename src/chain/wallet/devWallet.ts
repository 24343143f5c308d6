import type { EIP1193Provider } from 'viem'

/**
 * An EIP-1193 provider for a local development chain (anvil): its dev accounts are unlocked on the node, so
 * signing and sending are forwarded as JSON-RPC. Only account selection and chain switching are answered here.
 * Never offered for other chains.
 */
export type DevWalletParameters = {
  rpcUrl: string
  chainId: number
  account?: `0x${string}`
  /**
   * Where the grant is remembered (the app passes this tab's sessionStorage): like a wallet extension remembering a
   * site it connected to, a reload of the tab finds the same account still connected instead of logging the user
   * out of the channel. Without it, the grant lasts as long as the provider.
   */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
}

/** the storage key of the remembered grant: the connected account */
export const DEV_WALLET_GRANT_KEY = 'chx:dev-wallet-granted'

export function createDevWalletProvider({
  rpcUrl,
  chainId,
  account,
  storage,
}: DevWalletParameters): EIP1193Provider {
  const read = () => {
    try {
      const a = storage?.getItem(DEV_WALLET_GRANT_KEY)
      return a && /^0x[0-9a-fA-F]{40}$/.test(a) ? (a as `0x${string}`) : undefined
    } catch {
      return undefined
    }
  }
  const remember = (a: `0x${string}` | undefined) => {
    try {
      if (a) storage?.setItem(DEV_WALLET_GRANT_KEY, a)
      else storage?.removeItem(DEV_WALLET_GRANT_KEY)
    } catch {
      // storage disabled: the grant lasts until reload
    }
  }
  const remembered = read()
  let selected: `0x${string}` | undefined = remembered ?? account
  // like a wallet extension: no accounts are exposed until the user connects (in this tab, before a reload)
  let granted = remembered !== undefined
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
          remember(selected)
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
          remember(undefined)
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
      if (granted) remember(a)
      for (const fn of listeners.get('accountsChanged') ?? []) fn([a])
    },
  }
  return provider as unknown as EIP1193Provider
}
