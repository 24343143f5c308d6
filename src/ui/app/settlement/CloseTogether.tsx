import { useState } from 'react'
import { confirmTransaction } from '../../../chain/actions/confirmTransaction.ts'
import {
  type CloseChain,
  closeStepOf,
  signCloseTogether,
  submitCloseTogether,
} from '../../../store/closeTogether.ts'
import type { SettlementContext } from '../../../store/settlement.ts'
import { useSnapshot } from '../../trading/context.ts'
import { describeError, type WalletRun } from '../useWalletAction.tsx'

/**
 * Close together (cooperative close, issue #12): ask everyone to close at the newest certified checkpoint, sign the
 * close another participant asked for with one click (the session key signs; the signature travels in a block),
 * and once all n signed, send `closeCooperatively` (any participant): final at once, every leaf paid in the same
 * transaction. States: offered, waiting for k of n, signed, ready, submitted, closed and paid.
 */
export function CloseTogether({
  ctx,
  chain,
  names,
  run,
  busy,
  readOnly,
  closedAt,
}: {
  ctx: SettlementContext
  chain: CloseChain
  names: readonly string[]
  run: WalletRun
  busy: boolean
  readOnly: boolean
  /** the version the chain finalized by a cooperative close, once it did */
  closedAt: bigint | undefined
}) {
  // re-derived on every block: the Close ops arrive in blocks
  useSnapshot((s) => s.blockCount)
  const [signing, setSigning] = useState<{ phase: 'running' } | { phase: 'failed'; message: string }>()
  const nameOf = (i: number) => (i === ctx.me ? 'you' : (names[i] ?? `participant ${i + 1}`))
  if (closedAt !== undefined)
    return (
      <div className="close-together" data-testid="close-together" data-phase="paid">
        <h4>Close together</h4>
        <p className="muted small">
          Closed together at v{closedAt.toString()}: every participant was paid its balance.
        </p>
      </div>
    )
  const step = closeStepOf(ctx.replica, ctx.me, chain)
  const sign = (version: bigint) => {
    setSigning({ phase: 'running' })
    signCloseTogether(ctx, version).then(
      () => setSigning(undefined),
      (e: unknown) => setSigning({ phase: 'failed', message: describeError(e) }),
    )
  }
  let text: string
  if (step.phase === 'unavailable') text = step.reason
  else if (step.phase === 'none')
    text = `Close the channel at v${step.version} with everyone's signature: final at once, paid in one transaction.`
  else if (step.phase === 'collecting')
    text = `${nameOf(step.requestedBy)} asked to close at v${step.version} · waiting for ${step.signed.length} of ${step.participants} signatures${
      step.mine ? ' · you signed' : ''
    }${step.refusal ? ` · you cannot sign: ${step.refusal}` : ''}`
  else text = `All ${step.participants} signed the close at v${step.version}: anyone can submit it.`
  return (
    <div className="close-together" data-testid="close-together" data-phase={step.phase}>
      <h4>Close together</h4>
      <p className="muted small" data-testid="close-status">
        {text}
      </p>
      <div className="row">
        {step.phase === 'none' && (
          <button
            type="button"
            disabled={readOnly || signing?.phase === 'running'}
            onClick={() => sign(step.version)}
          >
            Close together at v{step.version.toString()}
          </button>
        )}
        {step.phase === 'collecting' && !step.mine && !step.refusal && (
          <button
            type="button"
            disabled={readOnly || signing?.phase === 'running'}
            onClick={() => sign(step.version)}
          >
            Sign the close at v{step.version.toString()}
          </button>
        )}
        {step.phase === 'ready' && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run(`Close together at v${step.version}`, async (c, track) => {
                const hash = await submitCloseTogether(c, ctx, step.version)
                track.sent(hash)
                await confirmTransaction(c, { hash })
                track.doneText('closed and paid')
              })
            }
          >
            Submit the close (v{step.version.toString()})
          </button>
        )}
      </div>
      {signing?.phase === 'failed' && (
        <p className="error small" data-testid="close-error">
          Not signed: {signing.message}
        </p>
      )}
    </div>
  )
}
