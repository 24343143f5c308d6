import { describe, expect, it } from 'vitest'
import { createDevWalletProvider, DEV_WALLET_GRANT_KEY } from './devWallet.ts'

const A = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const B = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

/** a tab's sessionStorage: survives a reload (a new provider), not a new tab */
function tabStorage() {
  const m = new Map<string, string>()
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  }
}

const open = (storage?: ReturnType<typeof tabStorage>) =>
  createDevWalletProvider({ rpcUrl: 'http://127.0.0.1:1', chainId: 31337, account: A, storage })

describe('dev wallet', () => {
  it('exposes no account before the user connects', async () => {
    expect(await open(tabStorage()).request({ method: 'eth_accounts' })).toEqual([])
  })

  it('a reload of the tab finds the account it connected (and switched to) still connected', async () => {
    const tab = tabStorage()
    const before = open(tab)
    expect(await before.request({ method: 'eth_requestAccounts' })).toEqual([A])
    ;(before as unknown as { selectAccount(a: string): void }).selectAccount(B)
    const after = open(tab)
    expect(await after.request({ method: 'eth_accounts' })).toEqual([B])
  })

  it('disconnecting forgets the grant; another tab (other storage) starts disconnected', async () => {
    const tab = tabStorage()
    await open(tab).request({ method: 'eth_requestAccounts' })
    expect(await open(tabStorage()).request({ method: 'eth_accounts' })).toEqual([])
    await open(tab).request({ method: 'wallet_revokePermissions', params: [{ eth_accounts: {} }] })
    expect(tab.getItem(DEV_WALLET_GRANT_KEY)).toBeNull()
    expect(await open(tab).request({ method: 'eth_accounts' })).toEqual([])
  })
})
