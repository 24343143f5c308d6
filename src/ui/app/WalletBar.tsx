import { useChainId, useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from 'wagmi'

/** Connect / disconnect, the connected account, and a chain-mismatch warning with a switch button. */
export function WalletBar({ chainId, chainName }: { chainId: number; chainName: string }) {
  const { address, status, chainId: walletChain } = useConnection()
  const connectors = useConnectors()
  const connect = useConnect()
  const disconnect = useDisconnect()
  const switchChain = useSwitchChain()
  useChainId()
  if (status !== 'connected' || !address)
    return (
      <div className="wallet">
        {connectors.map((c) => (
          <button
            key={c.uid}
            type="button"
            onClick={() => connect.mutate({ connector: c })}
            disabled={connect.isPending}
          >
            {connect.isPending && connect.variables?.connector === c ? 'Connecting…' : `Connect ${c.name}`}
          </button>
        ))}
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
      <span className="mono" data-testid="account">
        {address.slice(0, 6)}…{address.slice(-4)}
      </span>
      <button type="button" className="link" onClick={() => disconnect.mutate({})}>
        Disconnect
      </button>
    </div>
  )
}
