import type { TowerSlash } from '../../../store/towerSlash.ts'
import { slashText } from '../../../store/towerSlash.ts'
import { type TowerAttempt, type TowerStep, towerText } from '../../../store/watchtower.ts'
import { TxHash } from '../useWalletAction.tsx'

/** What the open app's watchtower sees and did: its decision or last challenge, and every slash it sent. */
export function TowerLine({
  tower,
  attempt,
  slashes,
  readOnly,
  waiting,
  names,
}: {
  tower: TowerStep | undefined
  attempt: TowerAttempt | undefined
  slashes: readonly TowerSlash[]
  readOnly: boolean
  /** why the newest checkpoint cannot go on chain yet (a key rotation not mined), if so */
  waiting: string | undefined
  names: readonly string[]
}) {
  const nameOf = (i: number) => names[i] ?? `participant ${i + 1}`
  return (
    <>
      <p className="muted small" data-testid="watchtower">
        Watchtower{readOnly ? ' (the writer tab challenges)' : ''}:{' '}
        {waiting && tower?.decision.action === 'none' && tower.decision.reason === 'held-lacks-quorum'
          ? waiting
          : towerText(tower, attempt)}
        {attempt?.phase === 'done' && (
          <>
            {' '}
            <TxHash hash={attempt.tx} />
          </>
        )}
      </p>
      {slashes.map((s) => (
        <p
          key={s.key}
          className={s.phase === 'failed' ? 'error small' : 'muted small'}
          data-testid="tower-slash"
          data-phase={s.phase}
        >
          Watchtower: {slashText(s, nameOf)}
          {s.tx && (
            <>
              {' '}
              <TxHash hash={s.tx} />
            </>
          )}
        </p>
      ))}
    </>
  )
}
