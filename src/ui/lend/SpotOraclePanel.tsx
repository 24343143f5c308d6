import { useState } from 'react'
import { OpTag } from '../../core/ops.ts'
import { opPermission } from '../../core/phase.ts'
import { oracleTicks } from '../oraclePrice.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'

/** For the lending oracle: posts the index price of a spot market (what prices collateral, with the book). */
export function SpotOraclePanel() {
  const { channel, tokens, submit, readOnly, phase } = useTrading()
  // closed with the channel: after finalization nothing more can be final (core/phase.ts)
  const permission = opPermission(phase, OpTag.OraclePrice)
  const spot = channel.config.markets.flatMap((m, i) => (m.kind === 'perp' ? [] : [{ m, i }]))
  const [market, setMarket] = useState(spot[0]?.i ?? 0)
  const [price, setPrice] = useState('')
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const m = channel.config.markets[market]
  if (!m) return null
  const base = tokens[m.base]!
  const quote = tokens[m.quote]!
  const { ticks, error } = oracleTicks(price, market, m, base, quote)
  const post = () => {
    if (error) return setMessage({ ok: false, text: error })
    if (ticks === undefined) return
    setMessage(
      outcomeMessage(submit({ tag: OpTag.OraclePrice, market, price: ticks }), `Price ${price} posted`),
    )
  }
  return (
    <section className="panel" aria-label="Spot oracle">
      <div className="panel-head">Oracle (spot prices)</div>
      <label className="field">
        <span>Market</span>
        <select name="oracle-market" value={market} onChange={(e) => setMarket(Number(e.target.value))}>
          {spot.map(({ m: x, i }) => (
            <option key={i} value={i}>
              {tokens[x.base]!.symbol}/{tokens[x.quote]!.symbol}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Price ({quote.symbol})</span>
        <input
          name="oracle-price"
          inputMode="decimal"
          value={price}
          onChange={(e) => setPrice(e.target.value)}
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        disabled={readOnly || ticks === undefined || !permission.allowed}
        title={permission.allowed ? undefined : permission.reason}
        onClick={post}
      >
        Post price
      </button>
      {message && <SubmitStatus message={message} />}
    </section>
  )
}
