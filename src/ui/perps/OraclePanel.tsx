import { useState } from 'react'
import { OpTag } from '../../core/ops.ts'
import { opPermission } from '../../core/phase.ts'
import type { PerpsSnapshot } from '../../store/perpsSnapshot.ts'
import { formatPrice } from '../format.ts'
import { oracleTicks } from '../oraclePrice.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'
import type { PerpMarketInfo } from './usePerps.ts'

/**
 * The designated oracle participant posts a market's index price (OraclePrice). Shown only to that participant;
 * the channel refuses the op from anyone else.
 */
export function OraclePanel({ info, perps }: { info: PerpMarketInfo; perps: PerpsSnapshot }) {
  const { submit, phase } = useTrading()
  // closed with the channel: after finalization nothing more can be final (core/phase.ts)
  const permission = opPermission(phase, OpTag.OraclePrice)
  const [price, setPrice] = useState('')
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const { market, base, quote } = info
  const current = perps.markets.find((m) => m.market === info.index)?.oracle
  const { ticks, error } = oracleTicks(price, info.index, market, base, quote)
  const post = () => {
    if (ticks === undefined) return
    const r = submit({ tag: OpTag.OraclePrice, market: info.index, price: ticks })
    const text = outcomeMessage(
      r,
      `Index price ${formatPrice(ticks, market, base, quote)} ${quote.symbol} posted`,
    )
    if (text.ok) setPrice('')
    setMessage(text)
  }
  return (
    <form
      className="panel"
      aria-label="Oracle"
      onSubmit={(e) => {
        e.preventDefault()
        post()
      }}
    >
      <div className="panel-head">Oracle · {info.name}</div>
      <p className="muted">
        You are this channel's oracle. Index price now:{' '}
        <span data-testid="oracle-current">
          {current === undefined
            ? 'none yet'
            : `${formatPrice(current, market, base, quote)} ${quote.symbol}`}
        </span>
      </p>
      <label className="field">
        <span>Index price ({quote.symbol})</span>
        <input
          name="oracle-price"
          inputMode="decimal"
          autoComplete="off"
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
        type="submit"
        disabled={ticks === undefined || !permission.allowed}
        title={permission.allowed ? undefined : permission.reason}
      >
        Post price
      </button>
      {message && <SubmitStatus message={message} />}
    </form>
  )
}
