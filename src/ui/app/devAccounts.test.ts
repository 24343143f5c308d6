import { describe, expect, it } from 'vitest'
import { chooseDevAccount, connectButtons, type DevAccount, fundedDevAccounts } from './devAccounts.ts'

const A = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const B = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const C = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

describe('dev accounts', () => {
  it('offers every unlocked account that holds ether, with its anvil index', async () => {
    const rpc = async (method: string, params: unknown[]) =>
      method === 'eth_accounts' ? [A.toLowerCase(), B, C] : params[0] === B ? '0x0' : '0x21e19e0c9bab2400000'
    const list = await fundedDevAccounts(rpc)
    expect(list.map((a) => [a.index, a.address])).toEqual([
      [0, A],
      [2, C],
    ])
    expect(list[0]!.balance).toBe(10_000n * 10n ** 18n)
  })

  it('keeps the remembered account (any case) while it is offered, else the first', () => {
    const list: DevAccount[] = [
      { index: 0, address: A, balance: 1n },
      { index: 2, address: C, balance: 1n },
    ]
    expect(chooseDevAccount(list, C.toLowerCase())?.index).toBe(2)
    expect(chooseDevAccount(list, B)?.index).toBe(0)
    expect(chooseDevAccount(list, null)?.index).toBe(0)
    expect(chooseDevAccount([], A)).toBeUndefined()
  })

  it('one button per announced wallet; the generic injected one only when none announced itself', () => {
    const injected = { id: 'injected', name: 'Injected' }
    const dev = { id: 'devWallet', name: 'Local dev wallet' }
    const mm = { id: 'io.metamask', name: 'MetaMask' }
    expect(connectButtons([injected, dev, mm, { id: 'io.metamask.2', name: 'MetaMask' }])).toEqual({
      wallets: [mm],
      generic: undefined,
      dev,
    })
    expect(connectButtons([injected])).toEqual({ wallets: [], generic: injected, dev: undefined })
  })
})
