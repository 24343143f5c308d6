import { FEE_TIERS_BPS } from '../../core/amm/fees.ts'
import { pct } from './poolFormat.ts'

/** The create form's choice of an AMM pool on the spot market, and the fee it charges until its LPs vote. */
export type AmmFieldsValue = { enabled: boolean; defaultFeeBps: bigint }
export const DEFAULT_AMM_FIELDS: AmmFieldsValue = { enabled: false, defaultFeeBps: 30n }

export function AmmFields({
  value,
  onChange,
}: {
  value: AmmFieldsValue
  onChange: (v: AmmFieldsValue) => void
}) {
  return (
    <fieldset aria-label="AMM pool">
      <label>
        <input
          type="checkbox"
          name="amm-enabled"
          checked={value.enabled}
          onChange={(e) => onChange({ ...value, enabled: e.target.checked })}
        />{' '}
        AMM pool on the spot market (constant product; its liquidity providers vote the fee)
      </label>
      {value.enabled && (
        <label className="field">
          <span>Fee until LPs vote</span>
          <select
            name="amm-default-fee"
            value={value.defaultFeeBps.toString()}
            onChange={(e) => onChange({ ...value, defaultFeeBps: BigInt(e.target.value) })}
          >
            {FEE_TIERS_BPS.map((t) => (
              <option key={t.toString()} value={t.toString()}>
                {pct(t)}
              </option>
            ))}
          </select>
        </label>
      )}
    </fieldset>
  )
}
