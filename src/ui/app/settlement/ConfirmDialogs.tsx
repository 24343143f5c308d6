import { formatUnits, type TokenInfo } from '../../format.ts'

/** Confirmation of the emergency exit, a dangerous action: it proposes alone, and pays nothing now. */
export function ExitConfirm({
  version,
  holdings,
  disputeWindow,
  tokens,
  busy,
  onConfirm,
  onCancel,
}: {
  version: bigint
  /** this participant's holdings per token in `version` */
  holdings: readonly bigint[] | undefined
  disputeWindow: bigint | undefined
  tokens: readonly TokenInfo[]
  busy: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  return (
    <div className="confirm" role="alertdialog" aria-label="Confirm emergency exit">
      <p>
        <strong>Emergency exit with v{version.toString()}.</strong> This proposes v{version.toString()} on
        chain alone: trading stops for everyone and the{' '}
        {disputeWindow !== undefined ? `${disputeWindow} s ` : ''}
        dispute window starts. Nothing is paid now: you are paid your holdings in whichever checkpoint
        finalizes (a newer one the others hold replaces it).
      </p>
      {holdings && (
        <p className="muted">
          Your holdings in v{version.toString()}:{' '}
          {holdings
            .map((v, k) => `${formatUnits(v, tokens[k]?.decimals ?? 18, 6)} ${tokens[k]?.symbol ?? ''}`)
            .join(', ')}
        </p>
      )}
      <div className="row">
        <button type="button" className="danger solid" disabled={busy} onClick={onConfirm}>
          Confirm emergency exit
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  )
}

/** Confirmation of the liveness escape: ends trading with no checkpoint. */
export function EscapeConfirm({
  quorum,
  busy,
  onConfirm,
  onCancel,
}: {
  quorum: number
  busy: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  return (
    <div className="confirm" role="alertdialog" aria-label="Confirm escape">
      <p>
        <strong>Escape the channel.</strong> Ends trading with no checkpoint. If nobody proposes a checkpoint
        signed by {quorum} participants within the escape window (at least 30 days), every deposit is refunded
        to its depositor after finalization; trades since then are lost.
      </p>
      <div className="row">
        <button type="button" className="danger solid" disabled={busy} onClick={onConfirm}>
          Confirm escape
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  )
}
