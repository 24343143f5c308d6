import type { TokenInfo } from '../format.ts'
import type { PerpFields } from './perpForm.ts'

/**
 * The create form's optional perpetual-futures market: underlying, collateral, lot, the oracle participant, max
 * leverage and the margin and funding parameters (defaults in perpForm.ts). Problems are listed under it.
 */
export function PerpMarketFields({
  value,
  onChange,
  tokens,
  participants,
  errors,
}: {
  value: PerpFields
  onChange: (f: PerpFields) => void
  tokens: readonly TokenInfo[]
  /** the form's participant rows, for the oracle picker */
  participants: readonly string[]
  errors: readonly string[]
}) {
  const set = (patch: Partial<PerpFields>) => onChange({ ...value, ...patch })
  const text = (name: string, label: string, key: keyof PerpFields, hint?: string) => (
    <label className="field">
      <span>{label}</span>
      <input
        name={name}
        inputMode="numeric"
        value={String(value[key])}
        title={hint}
        onChange={(e) => set({ [key]: e.target.value } as Partial<PerpFields>)}
      />
    </label>
  )
  return (
    <fieldset aria-label="Perpetual market">
      <label>
        <input
          type="checkbox"
          name="perp-enabled"
          checked={value.enabled}
          onChange={(e) => set({ enabled: e.target.checked })}
        />{' '}
        Add a perpetual futures market (margined, with funding and liquidations)
      </label>
      {value.enabled && (
        <>
          <div className="row">
            <label className="field">
              <span>Underlying</span>
              <select
                name="perp-underlying"
                value={value.underlying}
                onChange={(e) => set({ underlying: Number(e.target.value) })}
              >
                {tokens.map((t, k) => (
                  <option key={t.address} value={k}>
                    {t.symbol}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Collateral</span>
              <select
                name="perp-collateral"
                value={value.collateral}
                onChange={(e) => set({ collateral: Number(e.target.value) })}
              >
                {tokens.map((t, k) => (
                  <option key={t.address} value={k}>
                    {t.symbol}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Lot ({tokens[value.underlying]?.symbol})</span>
              <input name="perp-lot" value={value.lot} onChange={(e) => set({ lot: e.target.value })} />
            </label>
            <label className="field">
              <span>Oracle</span>
              <select
                name="perp-oracle"
                value={value.oracle}
                onChange={(e) => set({ oracle: Number(e.target.value) })}
              >
                {participants.map((a, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the participant's row number is its identity here
                  <option key={i} value={i}>
                    Participant {i + 1}
                    {a ? ` (${a.slice(0, 6)}…)` : ''}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="row">
            {text('max-leverage', 'Max leverage (×)', 'maxLeverage')}
            {text('perp-mm', 'Maintenance margin (bps)', 'maintenanceMarginBps', 'liquidatable below this')}
            {text('perp-liq-fee', 'Liquidation fee (bps)', 'liquidationFeeBps')}
          </div>
          <div className="row">
            {text('perp-funding-interval', 'Funding interval (s)', 'fundingIntervalSec')}
            {text('perp-funding-factor', 'Funding factor (bps of premium)', 'fundingFactorBps')}
            {text('perp-funding-cap', 'Funding cap (bps per interval)', 'fundingCapBps')}
          </div>
          <label>
            <input
              type="checkbox"
              name="perp-open-liquidation"
              checked={value.openLiquidation}
              onChange={(e) => set({ openLiquidation: e.target.checked })}
            />{' '}
            Anyone may liquidate (otherwise only participants with the Liquidator role)
          </label>
          {errors.length > 0 && (
            <p className="error" data-testid="perp-errors">
              {errors.join(' · ')}
            </p>
          )}
        </>
      )}
    </fieldset>
  )
}
