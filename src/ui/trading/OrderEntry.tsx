import { useState } from 'react'
import { quoteMarketOrder } from '../../core/marketQuote.ts'
import { checkOp } from '../../core/opCheck.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../../core/ops.ts'
import { opPermission } from '../../core/phase.ts'
import { stakeRefusal } from '../../store/stake.ts'
import {
  AmountError,
  formatCentiBpsAsPercent,
  formatPrice,
  formatQty,
  formatUnits,
  parsePrice,
  parseQty,
  priceDecimals,
} from '../format.ts'
import { useSnapshot, useTrading } from './context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from './SubmitStatus.tsx'

type Form = { side: Side; kind: OrderKind; tif: TimeInForce; price: string; qty: string }

/**
 * Limit and market orders with inline validation against the market's tick and lot and the available balance.
 * Enter submits; the order applies at once (pending) and shows final once every participant has built on it.
 */
export function OrderEntry({ price, setPrice }: { price: string; setPrice: (p: string) => void }) {
  const { market, tokens, submit: submitOp, marketIndex, channel, phase, names } = useTrading()
  const balances = useSnapshot((s) => s.balances)
  const bestAsk = useSnapshot((s) => s.depth.asks[0]?.price)
  const bestBid = useSnapshot((s) => s.depth.bids[0]?.price)
  const asks = useSnapshot((s) => s.depth.asks)
  const bids = useSnapshot((s) => s.depth.bids)
  const me = useSnapshot((s) => s.me)
  const waitingForBonds = useSnapshot((s) => s.waitingForBonds)
  const [form, setForm] = useState<Omit<Form, 'price'>>({
    side: Side.Buy,
    kind: OrderKind.Limit,
    tif: TimeInForce.GTC,
    qty: '',
  })
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const base = tokens[market.base]!
  const quote = tokens[market.quote]!
  const isBuy = form.side === Side.Buy
  const { makerFeeBps, takerFeeBps } = channel.config.params
  const maxFee = makerFeeBps > takerFeeBps ? makerFeeBps : takerFeeBps

  let error: string | undefined
  let ticks: bigint | undefined
  let lots: bigint | undefined
  try {
    if (form.qty !== '') lots = parseQty(form.qty, market, base)
    if (form.kind === OrderKind.Limit && price !== '') ticks = parsePrice(price, market, base, quote)
    if (form.kind === OrderKind.Market) {
      // protection price: 5% through the best opposite level
      const best = isBuy ? bestAsk : bestBid
      if (best === undefined) throw new AmountError(`no ${isBuy ? 'asks' : 'bids'} to trade against`)
      ticks = isBuy ? best + best / 20n : best - best / 20n
    }
  } catch (e) {
    error = e instanceof AmountError ? e.message : String(e)
  }
  const tif = form.kind === OrderKind.Market ? TimeInForce.IOC : form.tif
  const op: Op | undefined =
    ticks !== undefined && lots !== undefined
      ? {
          tag: OpTag.Place,
          market: marketIndex,
          side: form.side,
          kind: form.kind,
          tif,
          price: ticks,
          qty: lots,
        }
      : undefined
  // every field within what the block codec encodes, before anything else (core/opCheck.ts)
  const check = op && !error ? checkOp(op) : undefined
  if (check && !check.ok)
    error =
      check.field === 'price' && check.max !== undefined
        ? `price out of range: at most ${formatPrice(check.max, market, base, quote)} ${quote.symbol}`
        : check.field === 'qty' && check.max !== undefined
          ? `amount out of range: at most ${formatQty(check.max, market, base)} ${base.symbol}`
          : check.message
  // minStake (issue #12): the fold refuses every order until every participant's bond is attested
  const unbonded = stakeRefusal({
    waiting: waitingForBonds,
    me,
    minStake: channel.config.params.minStake,
    names,
    formatEth: (wei) => formatUnits(wei, 18, 6),
  })
  if (unbonded) error = unbonded
  const permission = opPermission(phase, OpTag.Place)
  const available = balances[isBuy ? market.quote : market.base]?.available ?? 0n
  let cost: bigint | undefined
  if (!error && ticks !== undefined && lots !== undefined) {
    const notional = lots * ticks * market.tickSize
    cost = isBuy ? notional + (notional * maxFee) / 10_000n : lots * market.lotSize
    if (cost > available)
      error = `insufficient ${isBuy ? quote.symbol : base.symbol}: need ${formatUnits(cost, isBuy ? quote.decimals : base.decimals, 6)}`
  }
  const ready = !error && op !== undefined && permission.allowed
  // market orders: what the visible depth says the order would do (core/marketQuote.ts)
  const summary =
    form.kind === OrderKind.Market && lots !== undefined && ticks !== undefined && !error
      ? quoteMarketOrder({
          side: form.side,
          qty: lots,
          levels: isBuy ? asks : bids,
          limit: ticks,
          takerFeeBps,
          tickSize: market.tickSize,
          lotSize: market.lotSize,
          baseDecimals: base.decimals,
        })
      : undefined
  const q = (x: bigint) => formatUnits(x, quote.decimals, 6)

  const submit = () => {
    if (!ready) return
    const r = submitOp(op)
    // a submitted order clears the form; a refused or rejected one stays to be corrected
    if (r.ok && r.result === 0) {
      setForm((f) => ({ ...f, qty: '' }))
      setPrice('')
    }
    setMessage(
      outcomeMessage(
        r,
        `${isBuy ? 'Buy' : 'Sell'} ${formatQty(lots!, market, base)} ${base.symbol} submitted`,
      ),
    )
  }

  const tab = (side: Side, label: string) => (
    <button
      type="button"
      className={`tab ${form.side === side ? (side === Side.Buy ? 'buy active' : 'sell active') : ''}`}
      onClick={() => setForm({ ...form, side })}
    >
      {label}
    </button>
  )
  return (
    <form
      className="panel entry"
      aria-label="Order entry"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <div className="tabs">
        {tab(Side.Buy, 'Buy')}
        {tab(Side.Sell, 'Sell')}
      </div>
      <div className="tabs small">
        {([OrderKind.Limit, OrderKind.Market] as const).map((k) => (
          <button
            key={k}
            type="button"
            className={`tab ${form.kind === k ? 'active' : ''}`}
            onClick={() => setForm({ ...form, kind: k })}
          >
            {k === OrderKind.Limit ? 'Limit' : 'Market'}
          </button>
        ))}
      </div>
      {form.kind === OrderKind.Limit && (
        <label className="field">
          <span>Price ({quote.symbol})</span>
          <input
            name="price"
            inputMode="decimal"
            autoComplete="off"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
          />
        </label>
      )}
      {form.kind === OrderKind.Market && ticks !== undefined && (
        <p className="muted">
          Fills up to {formatPrice(ticks, market, base, quote)} {quote.symbol}, rest cancelled
        </p>
      )}
      <label className="field">
        <span>Amount ({base.symbol})</span>
        <input
          name="qty"
          inputMode="decimal"
          autoComplete="off"
          value={form.qty}
          onChange={(e) => setForm({ ...form, qty: e.target.value })}
        />
      </label>
      {form.kind === OrderKind.Limit && (
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
              aria-pressed={form.tif === t}
              className={`tab ${form.tif === t ? 'active' : ''}`}
              onClick={() => setForm({ ...form, tif: t })}
            >
              {label}
            </button>
          ))}
        </fieldset>
      )}
      {summary && (
        <dl className="summary" aria-label="Market order summary">
          <dt>Average price</dt>
          <dd data-testid="summary-average">
            {summary.averagePerBase === undefined
              ? '—'
              : `${formatUnits(summary.averagePerBase, quote.decimals, Math.min(quote.decimals, priceDecimals(market, base, quote) + 2))} ${quote.symbol}`}
          </dd>
          <dt>Slippage vs best</dt>
          <dd data-testid="summary-slippage">
            {summary.best === undefined
              ? '—'
              : `${formatCentiBpsAsPercent(summary.slippageCentiBps)} (best ${formatPrice(summary.best, market, base, quote)})`}
          </dd>
          <dt>Fee ({Number(takerFeeBps) / 100}%)</dt>
          <dd data-testid="summary-fee">
            {q(summary.fee)} {quote.symbol}
          </dd>
          <dt>{isBuy ? 'You pay' : 'You receive'}</dt>
          <dd data-testid="summary-total">
            {q(summary.total)} {quote.symbol}
          </dd>
          {summary.unfilled > 0n && (
            <dd className="pending" data-testid="summary-unfilled">
              {formatQty(summary.unfilled, market, base)} {base.symbol} would not fill (cancelled)
            </dd>
          )}
        </dl>
      )}
      <p className="muted">
        Available {formatUnits(available, isBuy ? quote.decimals : base.decimals, 6)}{' '}
        {isBuy ? quote.symbol : base.symbol}
        {cost !== undefined &&
          !error &&
          ` · reserves ${formatUnits(cost, isBuy ? quote.decimals : base.decimals, 6)}`}
      </p>
      {error && (unbonded !== undefined || form.qty !== '' || price !== '') && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!permission.allowed && (
        <p className="muted" data-testid="entry-closed">
          {permission.reason}
        </p>
      )}
      <button
        type="submit"
        className={isBuy ? 'buy' : 'sell'}
        disabled={!ready}
        title={permission.allowed ? undefined : permission.reason}
      >
        {isBuy ? 'Buy' : 'Sell'} {base.symbol}
      </button>
      {message && <SubmitStatus message={message} />}
    </form>
  )
}
