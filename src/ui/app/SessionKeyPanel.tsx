import { useEffect, useReducer, useRef } from 'react'
import { signKeyRotation } from '../../chain/actions/signKeyRotation.ts'
import type { RotationChainStatus } from '../../store/keyRotation.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import { useSnapshot, useTrading } from '../trading/context.ts'
import { pokeChain, useChainWatch } from './useChainWatch.ts'
import { ActionStatus, TxHash, useWalletAction } from './useWalletAction.tsx'

const short = (a: string) => `${a.slice(0, 8)}…${a.slice(-6)}`

function chainText(s: RotationChainStatus): string {
  switch (s.phase) {
    case 'on-chain':
      return 'on chain'
    case 'sending':
      return 'sending to the chain (confirm in your wallet)…'
    case 'confirming':
      return 'waiting for the chain…'
    case 'waiting':
      return `not on chain yet: ${s.reason}`
    case 'failed':
      return `not on chain: ${s.error}`
  }
}

/**
 * The channel session key (issue #12): which key signs this participant's blocks, and a rotation to a fresh one
 * when it may have leaked — the wallet signs once, the new key is generated and kept in this browser and signs
 * from the next block, and the rotation is sent on chain automatically, rotations strictly in order, with each
 * one's progress, transaction and error (Retry after a failure). A reload resumes where it stopped.
 */
export function SessionKeyPanel({ runtime }: { runtime: ChannelRuntime }) {
  const live = runtime.live!
  const rotations = live.rotations
  const { readOnly, phase } = useTrading()
  const { client: reader, head } = useChainWatch()
  const { run, state, busy, client } = useWalletAction()
  const [, refresh] = useReducer((x: number) => x + 1, 0)
  // our own blocks (a rotation becomes announced) change the store, not the runtime; followed only while a
  // rotation waits for one, so the panel does not re-render with every block of the channel
  const unannounced = rotations?.views().some((v) => !v.announced) ?? false
  useSnapshot((s) => (unannounced ? s.blocks[0]?.id : undefined))
  const clientRef = useRef(client)
  clientRef.current = client

  // the chain queue, while the page is open (and again after a reload): one pass per new block, and right after a
  // rotation or a retry; a pass sends at most the next rotation, and reads nothing while none is waiting
  const pass = () => {
    if (!rotations || !reader) return
    void rotations.syncChain(reader, clientRef.current).finally(() => {
      pokeChain()
      refresh()
    })
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: one pass per new head, and when a wallet connects
  useEffect(pass, [rotations, reader, head, client])

  const views = rotations?.views() ?? []
  const current = rotations?.current() ?? runtime.sessionAddress
  const closed = phase === 'finalized'
  const rotate = () =>
    rotations &&
    run('Rotate session key', async (c, track) => {
      track.progress('sign the rotation in your wallet')
      const v = await rotations.rotate((r) => signKeyRotation(c, { channel: live.channel, ...r }))
      track.doneText(`now signing with ${short(v.newKey)} from block ${v.fromSeq}; it goes on chain next`)
      if (reader) void rotations.syncChain(reader, c).finally(refresh)
    })

  return (
    <section className="panel form" aria-label="Session key">
      <h3>Session key</h3>
      <p className="muted" data-testid="signing-key" data-key={current}>
        Signing key: <code title={current}>{short(current)}</code>
        {views.length > 0 ? ` (rotated ${views.length} time${views.length === 1 ? '' : 's'})` : ''}
      </p>
      <p className="muted small">
        The key this browser signs your blocks and checkpoints with. If it may have leaked, replace it: your
        wallet signs once, the new key is kept in this browser and signs from your next block, and the
        rotation is sent on chain from your wallet. What the old key signed before stays valid.
      </p>
      {views.length > 0 && (
        <ol className="small" aria-label="Key rotations">
          {views.map((v) => (
            <li key={v.index} data-testid={`rotation-${v.index}`} data-chain={v.chain.phase}>
              <code title={v.newKey}>{short(v.newKey)}</code> from block {v.fromSeq.toString()} and checkpoint
              v{v.fromVersion.toString()} · {v.announced ? 'announced to peers' : 'in your next block'} ·{' '}
              <span
                className={v.chain.phase === 'failed' ? 'error' : v.chain.phase === 'on-chain' ? 'ok' : ''}
              >
                {chainText(v.chain)}
              </span>
              {'tx' in v.chain && v.chain.tx && (
                <>
                  {' '}
                  <TxHash hash={v.chain.tx} />
                </>
              )}
              {v.chain.phase === 'failed' && (
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    rotations?.retry()
                    pass()
                  }}
                >
                  Retry
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      <div className="row">
        <button
          type="button"
          disabled={!rotations || readOnly || busy || rotations.busy || closed}
          title={
            readOnly
              ? 'the other tab of this channel holds the session key'
              : closed
                ? 'the channel is finalized: keys no longer matter'
                : undefined
          }
          onClick={rotate}
        >
          Rotate session key
        </button>
      </div>
      <ActionStatus state={state} />
    </section>
  )
}
