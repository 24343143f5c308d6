import { getAddress } from 'viem'

/**
 * The local dev wallet's accounts: every account the node unlocks that holds ether, so one person can run several
 * traders (one per tab). The choice is remembered per tab (sessionStorage), not per browser.
 */
export type DevAccount = { index: number; address: `0x${string}`; balance: bigint }

export const DEV_ACCOUNT_KEY = 'chx:dev-account'

type Rpc = (method: string, params: unknown[]) => Promise<unknown>

export function jsonRpc(url: string): Rpc {
  let id = 0
  return async (method, params) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    })
    const body = (await res.json()) as { result?: unknown; error?: { message: string } }
    if (body.error) throw new Error(body.error.message)
    return body.result
  }
}

/** The node's unlocked accounts (checksummed) with a non-zero balance, in the node's order (anvil's account index). */
export async function fundedDevAccounts(rpc: Rpc): Promise<DevAccount[]> {
  const accounts = (await rpc('eth_accounts', [])) as `0x${string}`[]
  const balances = await Promise.all(accounts.map((a) => rpc('eth_getBalance', [a, 'latest'])))
  return accounts
    .map((a, index) => ({ index, address: getAddress(a), balance: BigInt(balances[index] as string) }))
    .filter((a) => a.balance > 0n)
}

/** The remembered account when it is still offered, else the first one. */
export function chooseDevAccount(
  accounts: readonly DevAccount[],
  remembered: string | null | undefined,
): DevAccount | undefined {
  const r = remembered?.toLowerCase()
  return accounts.find((a) => a.address.toLowerCase() === r) ?? accounts[0]
}

export function rememberedDevAccount(): string | null {
  try {
    return sessionStorage.getItem(DEV_ACCOUNT_KEY)
  } catch {
    return null
  }
}

export function rememberDevAccount(address: string): void {
  try {
    sessionStorage.setItem(DEV_ACCOUNT_KEY, address)
  } catch {
    // storage disabled: the choice lasts until reload
  }
}

/**
 * Connectors worth a button: wallets that announced themselves (EIP-6963), once per name, and the generic
 * injected one only when none did (it is the same window.ethereum under another name); the dev wallet apart.
 */
export function connectButtons<C extends { id: string; name: string }>(
  connectors: readonly C[],
): { wallets: C[]; generic: C | undefined; dev: C | undefined } {
  const dev = connectors.find((c) => c.id === 'devWallet')
  const generic = connectors.find((c) => c.id === 'injected')
  const seen = new Set<string>()
  const wallets: C[] = []
  for (const c of connectors) {
    if (c === dev || c === generic || seen.has(c.name)) continue
    seen.add(c.name)
    wallets.push(c)
  }
  return { wallets, generic: wallets.length === 0 ? generic : undefined, dev }
}
