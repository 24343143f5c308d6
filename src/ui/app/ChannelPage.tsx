import { memo, useEffect, useMemo, useReducer, useState } from 'react'
import { useConnection } from 'wagmi'
import { confirmTransaction } from '../../chain/actions/confirmTransaction.ts'
import { openChannelOnChain } from '../../chain/actions/openChannelOnChain.ts'
import { signSessionKey } from '../../chain/actions/signSessionKey.ts'
import { getChannelInfo } from '../../chain/readers/getChannelInfo.ts'
import { ChannelStatus } from '../../chain/types.ts'
import { toHex } from '../../core/bytes.ts'
import type { ChannelConfig } from '../../core/channel.ts'
import { ROLE_NAMES } from '../../core/channel.ts'
import { draftChannelId, type Invite } from '../../core/invite.ts'
import type { SettlementPhase } from '../../core/phase.ts'
import { parsePrunePolicy } from '../../core/snapshot/prunePolicy.ts'
import { rememberChannel } from '../../store/knownChannels.ts'
import { LatencyProbe } from '../../store/latencyProbe.ts'
import { PRUNE_POLICY_KEY } from '../../store/pruner.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import { acquireRuntime } from '../../store/runtimeLease.ts'
import { loadOrCreateSessionKey } from '../../store/sessionKey.ts'
import type { AppConfig } from '../config.ts'
import { LendScreen } from '../lend/LendScreen.tsx'
import { TradingContext, type TradingContextValue } from '../trading/context.ts'
import { TradingScreen } from '../trading/TradingScreen.tsx'
import { CatchUpBanner } from './CatchUpBanner.tsx'
import { ChannelTerms } from './ChannelTerms.tsx'
import { CopyButton } from './CopyButton.tsx'
import { ForcePanel } from './ForcePanel.tsx'
import { FundsPanel } from './FundsPanel.tsx'
import { GenesisBanner } from './GenesisBanner.tsx'
import { SessionKeyPanel } from './SessionKeyPanel.tsx'
import { SettlementPanel } from './SettlementPanel.tsx'
import { useChainWatch } from './useChainWatch.ts'
import { ActionStatus, useWalletAction } from './useWalletAction.tsx'

export type ChannelPageProps = {
  config: AppConfig
  invite: Invite
  inviteText: string
  me: `0x${string}`
}

/**
 * One channel: its lobby until every participant authorised and it is open on chain, then the exchange. The
 * runtime (room, lobby, live channel) is acquired in an effect and released in its cleanup: a lease on the page's
 * one runtime for this channel, so a remount (React StrictMode in development) keeps it instead of destroying it.
 */
export function ChannelPage(props: ChannelPageProps) {
  const { config, invite, inviteText, me } = props
  const key = `${inviteText}:${me.toLowerCase()}`
  const [held, setHeld] = useState<{ key: string; runtime: ChannelRuntime } | undefined>()
  // the start page lists it under "Your channels" (store/knownChannels.ts)
  useEffect(() => {
    const symbol = (t: number) =>
      config.tokens.find((x) => x.address.toLowerCase() === invite.draft.tokens[t]?.toLowerCase())?.symbol ??
      '?'
    rememberChannel(localStorage, {
      invite: inviteText,
      channelId: toHex(draftChannelId(invite.draft)),
      me,
      label: invite.draft.markets
        .map((m) => `${symbol(m.base)}/${symbol(m.quote)}${m.kind === 'perp' ? ' perp' : ''}`)
        .join(', '),
      at: Date.now(),
    })
  }, [config.tokens, invite, inviteText, me])
  // biome-ignore lint/correctness/useExhaustiveDependencies: the runtime is keyed by the invite text and wallet
  useEffect(() => {
    const lease = acquireRuntime({
      invite,
      me,
      signaling: config.signaling,
      relay: config.relay,
      sessionKey: loadOrCreateSessionKey(localStorage, invite, me),
      // a tuning knob for tests and long-running channels: JSON {everyCheckpoints, minBlocks}
      prune: parsePrunePolicy(localStorage.getItem(PRUNE_POLICY_KEY)),
    })
    setHeld({ key, runtime: lease.runtime })
    // exposed for end-to-end tests and diagnostics: read-only views, the same data the screens show; the latency
    // probe bench:e2e attaches to a tab (it only reads the replica)
    Object.assign(window, { __chx: lease.runtime, __chxProbe: LatencyProbe })
    return () => {
      const w = window as { __chx?: unknown }
      if (w.__chx === lease.runtime) delete w.__chx
      lease.release()
    }
  }, [key])
  if (!held || held.key !== key || held.runtime.isDestroyed)
    return <main className="page muted">Joining the channel…</main>
  return <ChannelView {...props} runtime={held.runtime} />
}

function ChannelView({ config, invite, runtime }: ChannelPageProps & { runtime: ChannelRuntime }) {
  const [, refresh] = useReducer((x: number) => x + 1, 0)
  useEffect(() => runtime.onChange(refresh), [runtime])
  const { client: reader, head } = useChainWatch()
  const [onChain, setOnChain] = useState<number | undefined>()
  const [liveError, setLiveError] = useState<string | undefined>()
  const channelIdHex = toHex(draftChannelId(invite.draft))
  const full = runtime.config()

  // the channel's status on chain, read again on each new block (one chain head per tab: useChainWatch)
  useEffect(() => {
    if (!reader || !full || head === undefined) return
    let stop = false
    getChannelInfo(reader, { address: config.settlement, channelId: channelIdHex }).then(
      (info) => {
        if (stop) return
        setOnChain(info.status)
        runtime.setChainPhase(phaseOfStatus(info.status))
      },
      // the next block reads again; the lobby shows the last known status
      () => {},
    )
    return () => {
      stop = true
    }
  }, [reader, head, full, config.settlement, channelIdHex, runtime])

  // once open on chain: go live, then keep deposits in sync
  useEffect(() => {
    if (onChain === undefined || onChain === ChannelStatus.None || runtime.live) return
    // a read-only tab reloads into the writer once the other tab is gone
    runtime
      .goLive(() => location.reload())
      .catch((e: unknown) => setLiveError(e instanceof Error ? e.message : String(e)))
  }, [onChain, runtime])
  // deposits, forced records and bonds: read again on each new block (nothing else changes them)
  useEffect(() => {
    if (!runtime.live || !reader || head === undefined) return
    runtime.syncDeposits(reader).catch(() => {})
  }, [runtime, runtime.live, reader, head])

  if (runtime.live)
    return (
      <>
        <CatchUpBanner runtime={runtime} />
        <LiveChannel config={config} runtime={runtime} live={runtime.live} phase={runtime.chainPhase} />
      </>
    )
  return (
    <>
      <CatchUpBanner runtime={runtime} />
      <LobbyView
        config={config}
        runtime={runtime}
        invite={invite}
        full={full}
        onChain={onChain}
        error={liveError}
      />
    </>
  )
}

type LiveChannelProps = {
  config: AppConfig
  runtime: ChannelRuntime
  live: NonNullable<ChannelRuntime['live']>
  phase: SettlementPhase
}

/**
 * The exchange of a live channel. Memoised, with a memoised context value: the view around it renders again on
 * every chain head (its effects read the channel's status there), and a new context object each time made every
 * panel of the trading screen render once a second for nothing. Panels follow what they show themselves (the
 * snapshot store, their own chain watch); the runtime's changes, rare, still renew the context as before.
 */
const LiveChannel = memo(function LiveChannel({ config, runtime, live, phase }: LiveChannelProps) {
  // the runtime's own changes (a key rotation's progress, catching up, the lobby) still reach every panel
  const [changes, changed] = useReducer((x: number) => x + 1, 0)
  useEffect(() => runtime.onChange(changed), [runtime])
  const value = useMemo<TradingContextValue>(() => {
    void changes
    const tokens = live.channel.config.tokens.map(
      (a) =>
        config.tokens.find((t) => t.address.toLowerCase() === a.toLowerCase()) ?? {
          address: a,
          symbol: `${a.slice(0, 6)}…`,
          decimals: 18,
        },
    )
    const names = live.channel.config.participants.map((p, i) =>
      i === runtime.meIndex ? 'you' : `${p.address.slice(0, 6)}…${p.address.slice(-4)}`,
    )
    return {
      channel: live.channel,
      store: live.store,
      session: live.session,
      submit: (op) => runtime.submit(op),
      phase,
      tokens,
      market: live.channel.config.markets[0]!,
      marketIndex: 0,
      names,
      readOnly: live.readOnly,
      otherDevice: runtime.otherDevice,
      presence: () => live.transport.peers(),
      seen: () => runtime.seen(),
    }
  }, [config.tokens, runtime, live, live.readOnly, phase, changes])
  return (
    <TradingContext.Provider value={value}>
      <GenesisBanner />
      <TradingScreen
        settlement={
          <div className="panels-row">
            <FundsPanel runtime={runtime} />
            <SettlementPanel runtime={runtime} />
            <ForcePanel runtime={runtime} />
            <SessionKeyPanel runtime={runtime} />
          </div>
        }
      />
      <LendScreen />
    </TradingContext.Provider>
  )
})

/** The settlement phase as far as submitting ops goes: a channel closing on chain is disputing (or finalizable). */
function phaseOfStatus(status: number): SettlementPhase {
  if (status === ChannelStatus.Open) return 'open'
  if (status === ChannelStatus.Closing) return 'disputing'
  if (status === ChannelStatus.Finalized) return 'finalized'
  return 'unknown'
}

function LobbyView({
  config,
  runtime,
  invite,
  full,
  onChain,
  error,
}: {
  config: AppConfig
  runtime: ChannelRuntime
  invite: Invite
  full: ChannelConfig | undefined
  onChain: number | undefined
  error: string | undefined
}) {
  const { address } = useConnection()
  const { run, state, busy } = useWalletAction()
  const auths = runtime.lobby.auths()
  const mine = runtime.myAuth()
  const draft = invite.draft
  const asConfig = {
    ...draft,
    participants: draft.participants.map((p) => ({
      ...p,
      sessionKey: '0x' as const,
      authSignature: '0x' as const,
    })),
  }
  return (
    <main className="page">
      <section className="panel">
        <h2>Channel lobby</h2>
        <p className="muted">
          {draft.participants.length} participants. Each participant authorises a channel session key with one
          wallet signature; once all have, anyone opens the channel on chain.
        </p>
        <ChannelTerms config={config} draft={draft} testId="lobby-terms" />
        <div className="row">
          <input
            readOnly
            aria-label="Invite link"
            className="mono wide"
            value={location.href}
            data-testid="lobby-invite-link"
            onFocus={(e) => e.target.select()}
          />
          <CopyButton text={location.href} label="Copy invite link" />
        </div>
        <table className="grid" aria-label="Participants">
          <tbody>
            {draft.participants.map((p) => {
              const a = auths.find((x) => x.participant.toLowerCase() === p.address.toLowerCase())
              return (
                <tr key={p.address}>
                  <td className="mono">{p.address}</td>
                  <td>{ROLE_NAMES[p.role]}</td>
                  <td className={a ? 'up' : 'pending'}>{a ? 'session key authorised' : 'waiting'}</td>
                  <td>{p.address.toLowerCase() === address?.toLowerCase() ? 'you' : ''}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
        <p className="muted">
          Browser connections to peers: {runtime.room.peerCount()} (a participant open in two tabs counts
          twice)
        </p>
        {!mine && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run('Authorise session key', async (c) => {
                const sig = await signSessionKey(c, { config: asConfig, sessionKey: runtime.sessionAddress })
                runtime.publishAuth(sig)
              })
            }
          >
            Authorise session key
          </button>
        )}
        {full && onChain === ChannelStatus.None && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run('Open channel on chain', async (c) => {
                const { hash } = await openChannelOnChain(c, {
                  address: draft.verifyingContract,
                  config: full,
                })
                await confirmTransaction(c, { hash })
              })
            }
          >
            Open channel on chain
          </button>
        )}
        {full && onChain !== undefined && onChain !== ChannelStatus.None && (
          <p className="ok">Channel open — starting…</p>
        )}
        <ActionStatus state={state} />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
    </main>
  )
}
