import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { useEffect, useMemo, useState } from 'react'
import { useConnection, WagmiProvider } from 'wagmi'
import { makeWagmiConfig } from '../../chain/wallet/wagmiConfig.ts'
import { decodeInvite } from '../../core/invite.ts'
import { knownChannels } from '../../store/knownChannels.ts'
import { type AppConfig, loadAppConfig } from '../config.ts'
import { ChannelPage } from './ChannelPage.tsx'
import { CopyButton } from './CopyButton.tsx'
import { CreateChannel } from './CreateChannel.tsx'
import { InvitePreview } from './InvitePreview.tsx'
import { InviteProblem } from './InviteProblem.tsx'
import { WalletBar } from './WalletBar.tsx'

const queryClient = new QueryClient()

/** Hash routes: `#/` home, `#/join/<invite>` a channel's lobby and, once open, its exchange. */
function useHashRoute(): string {
  const [hash, setHash] = useState(() => location.hash)
  useEffect(() => {
    const on = () => setHash(location.hash)
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return hash.replace(/^#/, '') || '/'
}

export function App() {
  const [config, setConfig] = useState<AppConfig | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    loadAppConfig().then(setConfig, (e: unknown) => setError(e instanceof Error ? e.message : String(e)))
  }, [])
  const wagmi = useMemo(() => (config ? makeWagmiConfig(config.chain) : undefined), [config])
  if (error)
    return (
      <main className="page">
        <h1>Channel Exchange</h1>
        <p className="error" role="alert">
          No deployment configured: {error}
        </p>
      </main>
    )
  if (!config || !wagmi) return <main className="page muted">Loading…</main>
  return (
    <WagmiProvider config={wagmi}>
      <QueryClientProvider client={queryClient}>
        <Shell config={config} />
      </QueryClientProvider>
    </WagmiProvider>
  )
}

function Shell({ config }: { config: AppConfig }) {
  const route = useHashRoute()
  const { address } = useConnection()
  return (
    <div className="app">
      <header className="topbar">
        <a href="#/" className="brand">
          Channel Exchange
        </a>
        <span className="muted">{config.chain.name}</span>
        <WalletBar
          chainId={config.chain.chainId}
          chainName={config.chain.name}
          rpcUrl={config.chain.rpcUrl}
        />
      </header>
      {route.startsWith('/join/') ? (
        <JoinRoute config={config} invite={route.slice('/join/'.length)} me={address} />
      ) : !address ? (
        <main className="page">
          <h1>Trade peer to peer inside a state channel</h1>
          <p className="muted">
            Connect a wallet to create a channel or join one from an invite link. Trading happens between your
            browsers, signed and checked by every participant; the chain is only used to deposit and to
            settle.
          </p>
        </main>
      ) : (
        <Home
          config={config}
          me={address}
          created={route.startsWith('/created/') ? route.slice('/created/'.length) : undefined}
        />
      )}
    </div>
  )
}

/**
 * The start page: the create form, or the invite just created — kept in the address (#/created/…), so a reload
 * shows it again instead of an empty form (the link was lost unless copied) — and joining by pasted link.
 */
function Home({
  config,
  me,
  created,
}: {
  config: AppConfig
  me: `0x${string}`
  created: string | undefined
}) {
  const [paste, setPaste] = useState('')
  const link = created ? `${location.origin}${location.pathname}#/join/${created}` : undefined
  return (
    <main className="page">
      {link ? (
        <section className="panel">
          <h2>Invite created</h2>
          <p className="muted">
            Send this link to every participant. Anyone holding it can join the channel's room.
          </p>
          <input
            readOnly
            className="mono wide"
            value={link}
            data-testid="invite-link"
            onFocus={(e) => e.target.select()}
          />
          <div className="row">
            <CopyButton text={link} label="Copy link" />
            <a className="button" href={`#/join/${created}`}>
              Go to the lobby
            </a>
            <a className="link" href="#/">
              Create another channel
            </a>
          </div>
        </section>
      ) : (
        <CreateChannel
          config={config}
          me={me}
          onCreated={(code) => {
            location.hash = `#/created/${code}`
          }}
        />
      )}
      <YourChannels me={me} />
      <form
        className="panel form"
        onSubmit={(e) => {
          e.preventDefault()
          const code = paste.trim().replace(/^.*#\/join\//, '')
          location.hash = `#/join/${code}`
        }}
      >
        <h2>Join a channel</h2>
        <label className="field grow">
          <span>Invite link</span>
          <input
            name="invite"
            value={paste}
            onChange={(e) => setPaste(e.target.value)}
            placeholder="https://…#/join/…"
          />
        </label>
        <button type="submit" disabled={paste.trim() === ''}>
          Join
        </button>
      </form>
    </main>
  )
}

/**
 * An invite link: a problem page when it cannot open here (damaged, or for another chain or contract — said before
 * a wallet is connected, not after), the preview while no wallet or a non-participant's is connected, else the
 * channel.
 */
function JoinRoute({
  config,
  invite,
  me,
}: {
  config: AppConfig
  invite: string
  me: `0x${string}` | undefined
}) {
  let parsed: ReturnType<typeof decodeInvite>
  try {
    parsed = decodeInvite(invite)
  } catch (e) {
    return <InviteProblem error={e} />
  }
  if (parsed.draft.chainId !== BigInt(config.chain.chainId))
    return (
      <InviteProblem
        error={`this invite is for chain ${parsed.draft.chainId}, the app is configured for ${config.chain.chainId}`}
      />
    )
  if (parsed.draft.verifyingContract.toLowerCase() !== config.settlement.toLowerCase())
    return <InviteProblem error="this invite is for another settlement contract" />
  if (!me) return <InvitePreview config={config} invite={invite} />
  if (!parsed.draft.participants.some((p) => p.address.toLowerCase() === me.toLowerCase()))
    return <InvitePreview config={config} invite={invite} me={me} />
  return <ChannelPage config={config} invite={parsed} inviteText={invite} me={me} />
}

/** The channels this wallet opened in this browser (store/knownChannels.ts), newest first: back to one in a click. */
function YourChannels({ me }: { me: `0x${string}` }) {
  const list = knownChannels(localStorage, me)
  if (list.length === 0) return null
  return (
    <section className="panel" aria-label="Your channels">
      <h2>Your channels</h2>
      <ul>
        {list.map((c) => (
          <li key={c.channelId}>
            <a href={`#/join/${c.invite}`}>{c.label}</a>{' '}
            <span className="muted small mono" title={c.channelId}>
              {c.channelId.slice(0, 10)}…
            </span>{' '}
            <span className="muted small">opened {new Date(c.at).toLocaleString()}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
