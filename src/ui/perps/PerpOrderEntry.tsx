import { useState } from 'react'
import { checkOp } from '../../core/opCheck.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../../core/ops.ts'
import { previewPerpOp } from '../../core/perps/preview.ts'
import { opPermission } from '../../core/phase.ts'
import { REJECT_NAMES } from '../../core/reasons.ts'
import type { PerpsSnapshot } from '../../store/perpsSnapshot.ts'
import { AmountError, formatPrice, formatQty, formatUnits, parsePrice, parseQty } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'
import { leverageText, ratioText } from './perpFormat.ts'
import type { PerpMarketInfo } from './usePerps.ts'

/**
 * Perp orders: long or short, limit (GTC / IOC / post-only) or market, reduce-only. Before anything is sent the
 * order is applied to a copy of the state (core previewPerpOp): the leverage, margin ratio and liquidation price it
 * would leave are shown, and a refusal of the channel's rules (leverage above maxLeverage, reduce-only that would
 * not reduce, no oracle price…) is shown with the core's reason and the button disabled. A rejection at the op's
 * final position shows the same way, in the form and in Activity.
 */
export function PerpOrderEntry({ info, perps }: { info: PerpMarketInfo; perps: PerpsSnapshot }) {
  const { submit: submitOp, session, phase } = useTrading()
  const { market, base, quote } = info
  const [side, setSide] = useState<Side>(Side.Buy)
  const [kind, setKind] = useState<OrderKind>(OrderKind.Limit)
  const [tif, setTif] = useState<TimeInForce>(TimeInForce.GTC)
  const [price, setPrice] = useState('')
  const [qty, setQty] = useState('')
  const [reduceOnly, setReduceOnly] = useState(false)
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const isBuy = side === Side.Buy
  const depth = perps.depth[info.index]
  const best = isBuy ? depth?.asks[0]?.price : depth?.bids[0]?.price

  let error: string | undefined
  let ticks: bigint | undefined
  let lots: bigint | undefined
  try {
    if (qty !== '') lots = parseQty(qty, market, base)
    if (kind === OrderKind.Limit && price !== '') ticks = parsePrice(price, market, base, quote)
    if (kind === OrderKind.Market) {
      if (best === undefined) throw new AmountError(`no ${isBuy ? 'asks' : 'bids'} to trade against`)
      // protection price: 5 % through the best opposite level
      ticks = isBuy ? best + best / 20n : best - best / 20n
    }
  } catch (e) {
    error = e instanceof AmountError ? e.message : String(e)
  }
  const op: Op | undefined =
    ticks !== undefined && lots !== undefined && !error
      ? {
          tag: OpTag.PerpPlace,
          market: info.index,
          side,
          kind,
          tif: kind === OrderKind.Market ? TimeInForce.IOC : tif,
          reduceOnly,
          price: ticks,
          qty: lots,
        }
      : undefined
  const check = op ? checkOp(op) : undefined
  if (check && !check.ok) error = check.message
  // the fold's verdict on a copy of the state, with the clock a local op gets
  const preview =
    op && !error
      ? previewPerpOp({ state: session.replica.state, op, author: perps.me, time: perps.clock })
      : undefined
  const refusal = preview && preview.result !== 0 ? REJECT_NAMES[preview.result] : undefined
  const permission = opPermission(phase, OpTag.PerpPlace)
  const ready = op !== undefined && !error && !refusal && permission.allowed
  const after = preview?.result === 0 ? preview.account : undefined
  const afterPos = preview?.result === 0 ? preview.positions.find((p) => p.market === info.index) : undefined
  const q = (x: bigint) => formatUnits(x, quote.decimals, 2)

  const submit = () => {
    if (!ready || !op) return
    const r = submitOp(op)
    const text = outcomeMessage(
      r,
      `${isBuy ? 'Long' : 'Short'} ${formatQty(lots!, market, base)} ${info.name}${reduceOnly ? ' (reduce-only)' : ''} submitted`,
    )
    if (text.ok) {
      setQty('')
      setPrice('')
    }
    setMessage(text)
  }
  const tab = (s: Side, label: string) => (
    <button
      type="button"
      className={`tab ${side === s ? (s === Side.Buy ? 'buy active' : 'sell active') : ''}`}
      onClick={() => setSide(s)}
    >
      {label}
    </button>
  )
  return (
    <form
      className="panel entry"
      aria-label="Perp trade"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <div className="tabs">
        {tab(Side.Buy, 'Long')}
        {tab(Side.Sell, 'Short')}
      </div>
      <div className="tabs small">
        {([OrderKind.Limit, OrderKind.Market] as const).map((k) => (
          <button
            key={k}
            type="button"
            className={`tab ${kind === k ? 'active' : ''}`}
            onClick={() => setKind(k)}
          >
            {k === OrderKind.Limit ? 'Limit' : 'Market'}
          </button>
        ))}
      </div>
      {kind === OrderKind.Limit ? (
        <label className="field">
          <span>Price ({quote.symbol})</span>
          <input
            name="perp-price"
            inputMode="decimal"
            autoComplete="off"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
          />
        </label>
      ) : (
        ticks !== undefined && (
          <p className="muted">
            Fills up to {formatPrice(ticks, market, base, quote)} {quote.symbol}, rest cancelled
          </p>
        )
      )}
      <label className="field">
        <span>Size ({base.symbol})</span>
        <input
          name="perp-qty"
          inputMode="decimal"
          autoComplete="off"
          value={qty}
          onChange={(e) => setQty(e.target.value)}
        />
      </label>
      {kind === OrderKind.Limit && (
        <fieldset className="tabs small">
          <legend className="sr-only">Time in force</legend>
          {(
            [
              [TimeInForce.GTC, 'GTC'],
              [TimeInForce.IOC, 'IOC'],
              [TimeInForce.PostOnly, 'Post only'],
            ] as const
          ).map(([t, label]) => (
            <button
              key={t}
              type="button"
              aria-pressed={tif === t}
              className={`tab ${tif === t ? 'active' : ''}`}
              onClick={() => setTif(t)}
            >
              {label}
            </button>
          ))}
        </fieldset>
      )}
      <label>
        <input
          type="checkbox"
          name="reduce-only"
          checked={reduceOnly}
          onChange={(e) => setReduceOnly(e.target.checked)}
        />{' '}
        Reduce-only
      </label>
      <dl className="summary" aria-label="Perp order summary">
        <dt>Leverage now</dt>
        <dd data-testid="perp-leverage-now">{leverageText(perps.account.leverageX100)}</dd>
        <dt>Leverage after (max {perps.account.maxLeverage.toString()}×)</dt>
        <dd data-testid="perp-leverage">{after ? leverageText(after.leverageX100) : '—'}</dd>
        <dt>Margin ratio after</dt>
        <dd data-testid="perp-ratio">{after ? ratioText(after.marginRatioBps) : '—'}</dd>
        <dt>Liquidation price after</dt>
        <dd data-testid="perp-liq-price">
          {afterPos?.liquidationPrice !== undefined && afterPos.size !== 0n
            ? `${formatPrice(afterPos.liquidationPrice, market, base, quote)} ${quote.symbol}`
            : '—'}
        </dd>
        <dt>Margin equity</dt>
        <dd>
          {q(perps.account.equity)} {quote.symbol}
        </dd>
      </dl>
      {error && (qty !== '' || price !== '') && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {refusal && (
        <p className="error" role="alert" data-testid="perp-refusal">
          The channel would refuse this order: {refusal}
        </p>
      )}
      {!permission.allowed && <p className="muted">{permission.reason}</p>}
      <button type="submit" className={isBuy ? 'buy' : 'sell'} disabled={!ready}>
        {isBuy ? 'Long' : 'Short'} {info.name}
      </button>
      {message && <SubmitStatus message={message} />}
    </form>
  )
}
