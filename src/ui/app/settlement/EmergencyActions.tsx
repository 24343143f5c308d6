import { useState } from 'react'
import { confirmTransaction } from '../../../chain/actions/confirmTransaction.ts'
import type { SignedCheckpoint } from '../../../core/checkpoint.ts'
import {
  escapeOnChain,
  exitAlone,
  findCheckpoint,
  type SettlementContext,
} from '../../../store/settlement.ts'
import { escapeAfterMs, payoutsOf } from '../../../store/settlementPlan.ts'
import type { TokenInfo } from '../../format.ts'
import type { WalletRun } from '../useWalletAction.tsx'
import { EscapeConfirm, ExitConfirm } from './ConfirmDialogs.tsx'

type Confirming = { kind: 'exit'; version: bigint } | { kind: 'escape' } | undefined

/**
 * The dangerous ways out, each behind a confirmation: the emergency exit (proposes alone; paid after finalization)
 * while `exitVersion` is proposable, and the liveness escape when no quorum checkpoint came for a long time.
 */
export function EmergencyActions({
  ctx,
  exitVersion,
  escapeAdvice,
  disputeWindow,
  quorum,
  participants,
  wallMs,
  tokens,
  run,
  busy,
  readOnly,
  forChain,
}: {
  ctx: SettlementContext
  /** the checkpoint an exit would propose, while one may be proposed */
  exitVersion: bigint | undefined
  escapeAdvice: { due: boolean; sinceMs: number }
  disputeWindow: bigint | undefined
  quorum: number
  participants: number
  wallMs: number
  tokens: TokenInfo[]
  run: WalletRun
  busy: boolean
  readOnly: boolean
  /** the checkpoint with only the signatures the contract accepts now (throws, sending nothing, if too few) */
  forChain: (cp: SignedCheckpoint) => Promise<SignedCheckpoint>
}) {
  const [confirming, setConfirming] = useState<Confirming>()
  if (exitVersion === undefined && !escapeAdvice.due) return null
  const myExitHoldings = exitVersion === undefined ? undefined : payoutsOf(ctx.replica, exitVersion)?.[ctx.me]
  return (
    <>
      <div className="row">
        {exitVersion !== undefined && (
          <button
            type="button"
            className="danger"
            disabled={busy || readOnly}
            onClick={() => setConfirming({ kind: 'exit', version: exitVersion })}
          >
            Emergency exit (v{exitVersion.toString()})
          </button>
        )}
        {escapeAdvice.due && (
          <button
            type="button"
            className="danger"
            disabled={busy || readOnly}
            onClick={() => setConfirming({ kind: 'escape' })}
          >
            Escape channel
          </button>
        )}
      </div>
      {escapeAdvice.due && (
        <p className="muted small" data-testid="escape-advice">
          No checkpoint has been signed by {quorum} of {participants} participants for{' '}
          {Math.round((wallMs - escapeAdvice.sinceMs) / 60_000)} minutes (the escape is offered after{' '}
          {Math.round(escapeAfterMs(disputeWindow ?? 0n) / 60_000)}).
        </p>
      )}
      {confirming?.kind === 'exit' && (
        <ExitConfirm
          version={confirming.version}
          holdings={myExitHoldings}
          disputeWindow={disputeWindow}
          tokens={tokens}
          busy={busy}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => {
            const version = confirming.version
            setConfirming(undefined)
            const cp = findCheckpoint(ctx.replica, version)
            if (!cp) return
            run(`Emergency exit (v${version})`, async (c, track) => {
              const hash = await exitAlone(c, ctx, await forChain(cp))
              track.sent(hash)
              await confirmTransaction(c, { hash })
              track.doneText('exit requested — paid after finalization')
            })
          }}
        />
      )}
      {confirming?.kind === 'escape' && (
        <EscapeConfirm
          quorum={quorum}
          busy={busy}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => {
            setConfirming(undefined)
            run('Escape', async (c, track) => {
              const hash = await escapeOnChain(c, ctx)
              track.sent(hash)
              await confirmTransaction(c, { hash })
              track.doneText('escape started — deposits refundable after the escape window')
            })
          }}
        />
      )}
    </>
  )
}
