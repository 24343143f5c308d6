import type { BrowserContext } from '@playwright/test'

/** anvil's default dev accounts (unlocked on the node): index 0 deploys, tests use 1…9. */
export const DEV_ACCOUNTS = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
  '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
  '0x976EA74026E726554dB657fA54763abd0C3a0aa9',
  '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955',
  '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f',
  '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
] as const

/**
 * Installs an EIP-1193 wallet in every page of the context, announced through EIP-6963 like a real extension,
 * forwarding JSON-RPC to anvil where `account` is unlocked — so the app's real injected-wallet path runs.
 */
export async function installWallet(
  context: BrowserContext,
  rpcUrl: string,
  chainId: number,
  account: string,
) {
  // bench:e2e drives Playwright as a library under tsx, whose esbuild keeps function names by wrapping them in a
  // `__name(fn, name)` helper that exists only in Node: the page scripts below would throw "__name is not defined"
  await context.addInitScript({ content: 'globalThis.__name ??= (f) => f' })
  await context.addInitScript(
    ({ rpcUrl, chainId, account }) => {
      let id = 0
      const listeners: Record<string, ((...a: unknown[]) => void)[]> = {}
      const rpc = async (method: string, params: unknown) => {
        const res = await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: params ?? [] }),
        })
        const body = await res.json()
        if (body.error)
          throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data })
        return body.result
      }
      const provider = {
        async request({ method, params }: { method: string; params?: unknown }) {
          switch (method) {
            case 'eth_requestAccounts':
              // like an extension: permission once granted is remembered for the origin
              localStorage.setItem('test-wallet:granted', '1')
              return [account]
            case 'eth_accounts':
              return localStorage.getItem('test-wallet:granted') ? [account] : []
            case 'eth_chainId':
              return `0x${chainId.toString(16)}`
            case 'wallet_revokePermissions':
              localStorage.removeItem('test-wallet:granted')
              return null
            case 'wallet_switchEthereumChain':
              return null
            case 'wallet_requestPermissions':
            case 'wallet_getPermissions':
              return [{ parentCapability: 'eth_accounts' }]
            default:
              return rpc(method, params)
          }
        },
        on(e: string, f: (...a: unknown[]) => void) {
          const list = listeners[e] ?? []
          list.push(f)
          listeners[e] = list
        },
        removeListener(e: string, f: (...a: unknown[]) => void) {
          listeners[e] = (listeners[e] ?? []).filter((x) => x !== f)
        },
      }
      Object.assign(window, { ethereum: provider })
      const info = {
        uuid: '4f1a2c3e-0000-4000-8000-000000000001',
        name: 'Test Wallet',
        icon: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg"/%3E',
        rdns: 'dev.test.wallet',
      }
      const announce = () =>
        window.dispatchEvent(
          new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }),
        )
      window.addEventListener('eip6963:requestProvider', announce)
      announce()
    },
    { rpcUrl, chainId, account },
  )
}
