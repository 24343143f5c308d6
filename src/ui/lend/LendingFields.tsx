import type { LendingFields as Fields } from './lendingForm.ts'

/** The create form's optional lending pool over the spot market's two tokens, and its spot-price oracle. */
export function LendingFields({
  value,
  onChange,
  participants,
}: {
  value: Fields
  onChange: (f: Fields) => void
  /** the form's participant rows, for the oracle picker */
  participants: readonly string[]
}) {
  return (
    <fieldset aria-label="Lending pool">
      <label>
        <input
          type="checkbox"
          name="lending-enabled"
          checked={value.enabled}
          onChange={(e) => onChange({ ...value, enabled: e.target.checked })}
        />{' '}
        Lending pool (supply and borrow both tokens of the spot market)
      </label>
      {value.enabled && (
        <label className="field">
          <span>Price oracle</span>
          <select
            name="lending-oracle"
            value={value.oracle}
            onChange={(e) => onChange({ ...value, oracle: Number(e.target.value) })}
          >
            {participants.map((a, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the participant's row number is its identity here
              <option key={i} value={i}>
                Participant {i + 1} {a ? `(${a.slice(0, 8)}…)` : ''}
              </option>
            ))}
          </select>
        </label>
      )}
    </fieldset>
  )
}
