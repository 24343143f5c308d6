import type { ChecklistStep } from '../../../store/checklist.ts'

const MARK: Record<ChecklistStep['state'], string> = { done: '✓', current: '→', todo: '·' }

/** The way from deposit to withdrawal, with where this participant stands and what to do next. */
export function Checklist({ steps }: { steps: readonly ChecklistStep[] }) {
  const current = steps.find((s) => s.state === 'current')
  return (
    <div className="checklist">
      <ol aria-label="Settlement steps">
        {steps.map((s) => (
          <li
            key={s.key}
            data-step={s.key}
            data-state={s.state}
            className={s.state}
            aria-current={s.state === 'current' ? 'step' : undefined}
          >
            <span aria-hidden="true">{MARK[s.state]}</span> {s.label}
          </li>
        ))}
      </ol>
      <p className="muted small" data-testid="next-step">
        {current ? `Next: ${current.hint}` : 'Settled: everything the channel owed you is paid out.'}
      </p>
    </div>
  )
}
