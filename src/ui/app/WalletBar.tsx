import { useEffect, useState } from 'react'
import { useChainId, useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from 'wagmi'
import { formatUnits } from '../format.ts'
import {
  chooseDevAccount,
  connectButtons,
  type DevAccount,
  fundedDevAccounts,
  jsonRpc,
  rememberDevAccount,
  rememberedDevAccount,
} from './devAccounts.ts'

type DevProvider = { selectAccount?: (a: `0x${string}`) => void }

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`

/**
 * Connect / disconnect, the connected account, and a chain-mismatch warning with a switch button. One button per
 * wallet the browser announced (or one generic button that explains how to get a wallet when there is none), and
 * on a local chain the dev wallet with a picker of every funded node account, remembered per tab.
 */
export function WalletBar({
  chainId,
  chainName,
  rpcUrl,
}: {
  chainId: number
  chainName: string
  rpcUrl: string
}) {
  const { address, status, chainId: walletChain, connector } = useConnection()
  const connectors = useConnectors()
  const connect = useConnect()
  const disconnect = useDisconnect()
  const switchChain = useSwitchChain()
  useChainId()
  const { wallets, generic, dev } = connectButtons(connectors)
  const [devAccounts, setDevAccounts] = useState<DevAccount[] | undefined>()
  const [devChoice, setDevChoice] = useState<string | undefined>()
  const [noWallet, setNoWallet] = useState(false)
  useEffect(() => {
    if (!dev) return
    let live = true
    fundedDevAccounts(jsonRpc(rpcUrl)).then(
      (list) => {
        if (!live) return
        setDevAccounts(list)
        setDevChoice(chooseDevAccount(list, rememberedDevAccount())?.address)
      },
      () => live && setDevAccounts([]),
    )
    return () => {
      live = false
    }
  }, [dev, rpcUrl])

  const pickDev = async (a: `0x${string}`) => {
    setDevChoice(a)
    rememberDevAccount(a)
    const p = (await dev?.getProvider()) as DevProvider | undefined
    p?.selectAccount?.(a)
  }
  const devPicker = dev && devAccounts && devAccounts.length > 0 && (
    <select
      aria-label="Dev account"
      value={devChoice}
      onChange={(e) => void pickDev(e.target.value as `0x${string}`)}
    >
      {devAccounts.map((a) => (
        <option key={a.address} value={a.address}>
          #{a.index} {short(a.address)} · {formatUnits(a.balance, 18, 2)} ETH
        </option>
      ))}
    </select>
  )

  if (status !== 'connected' || !address)
    return (
      <div className="wallet">
        {wallets.map((c) => (
          <button
            key={c.uid}
            type="button"
            onClick={() => connect.mutate({ connector: c })}
            disabled={connect.isPending}
          >
            {connect.isPending && connect.variables?.connector === c ? 'Connecting…' : `Connect ${c.name}`}
          </button>
        ))}
        {generic && (
          <button
            type="button"
            disabled={connect.isPending}
            onClick={() => {
              const has = typeof window !== 'undefined' && (window as { ethereum?: unknown }).ethereum
              if (!has) setNoWallet(true)
              else connect.mutate({ connector: generic })
            }}
          >
            Connect browser wallet
          </button>
        )}
        {dev && (
          <span className="dev-wallet">
            {devPicker}
            <button
              type="button"
              disabled={connect.isPending || devAccounts?.length === 0}
              onClick={async () => {
                if (devChoice) await pickDev(devChoice as `0x${string}`)
                connect.mutate({ connector: dev })
              }}
            >
              {connect.isPending && connect.variables?.connector === dev
                ? 'Connecting…'
                : `Connect ${dev.name}`}
            </button>
          </span>
        )}
        {noWallet && (
          <span className="error" role="alert">
            No browser wallet found. Install one such as{' '}
            <a href="https://metamask.io/download/" target="_blank" rel="noreferrer">
              MetaMask
            </a>{' '}
            or{' '}
            <a href="https://rabby.io/" target="_blank" rel="noreferrer">
              Rabby
            </a>
            , then reload this page{dev ? ', or use the local dev wallet on this chain' : ''}.
          </span>
        )}
        {connectors.length === 0 && (
          <span className="muted">No wallet found: install one or use the local chain</span>
        )}
        {connect.error && <span className="error">{connect.error.message.split('\n')[0]}</span>}
      </div>
    )
  return (
    <div className="wallet">
      {walletChain !== chainId && (
        <button type="button" className="sell" onClick={() => switchChain.mutate({ chainId })}>
          Wrong network — switch to {chainName}
        </button>
      )}
      {connector?.id === 'devWallet' && devPicker}
      <span className="mono" data-testid="account">
        {short(address)}
      </span>
      <button type="button" className="link" onClick={() => disconnect.mutate({})}>
        Disconnect
      </button>
    </div>
  )
}
