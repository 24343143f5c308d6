import { useState } from 'react'
import { bookOutput, previewSwap } from '../../core/amm/views.ts'
import { type Op, OpTag, Side } from '../../core/ops.ts'
import { REJECT_NAMES, Reject } from '../../core/reasons.ts'
import type { AmmSnapshot, PoolView } from '../../store/ammSnapshot.ts'
import { AmountError, parseUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'
import { amountText, deadlineOf, parsePercentBps, pct } from './poolFormat.ts'

/**
 * Exact-in swaps against the pool: what you receive, the minimum you accept (slippage), the fee the LPs voted, the
 * price impact, and what the same amount would get from the book (no routing: you pick the venue). The deadline is
 * channel time; a swap the clock has passed, or one a concurrent op pushed below the minimum, is rejected.
 */
export function SwapPanel({ amm, view }: { amm: AmmSnapshot; view: PoolView }) {
  const { tokens, channel, submit, readOnly } = useTrading()
  const [side, setSide] = useState<Side>(Side.Buy)
  const [amount, setAmount] = useState('')
  const [slippage, setSlippage] = useState('0.5')
  const [seconds, setSeconds] = useState('60')
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const market = channel.config.markets[view.market]!
  const base = tokens[view.base]!
  const quote = tokens[view.quote]!
  const [tin, tout] = side === Side.Buy ? [quote, base] : [base, quote]
  const tinIndex = side === Side.Buy ? view.quote : view.base
  const available = amm.available[tinIndex] ?? 0n

  let error: string | undefined
  let amountIn: bigint | undefined
  let slippageBps = 50n
  try {
    slippageBps = parsePercentBps(slippage, 50)
    if (!/^\d+$/.test(seconds.trim()) || BigInt(seconds.trim()) === 0n)
      throw new AmountError('the deadline is a whole number of seconds > 0')
    if (amount !== '') amountIn = parseUnits(amount, tin.decimals)
    if (amountIn !== undefined && amountIn > available)
      throw new AmountError(`more than your available ${amountText(available, tin)}`)
  } catch (e) {
    error = e instanceof AmountError ? e.message : String(e)
  }
  const preview = amountIn === undefined ? undefined : previewSwap(view.pool, side, amountIn, slippageBps)
  const depth = amm.depth[view.market]
  const book =
    amountIn === undefined || !depth
      ? undefined
      : bookOutput(
          side,
          amountIn,
          side === Side.Buy ? depth.asks : depth.bids,
          market,
          channel.config.params.takerFeeBps,
        )
  const refusal = preview && preview.result !== Reject.None ? REJECT_NAMES[preview.result] : undefined
  const op: Op | undefined =
    amountIn !== undefined && preview && !error && !refusal
      ? {
          tag: OpTag.AmmSwap,
          market: view.market,
          side,
          amountIn,
          minOut: preview.minOut,
          deadline: deadlineOf(amm.clock, Date.now(), BigInt(seconds.trim())),
        }
      : undefined

  const send = () => {
    if (!op) return
    const r = submit(op)
    const m = outcomeMessage(r, `Swapped ${amountText(op.tag === OpTag.AmmSwap ? op.amountIn : 0n, tin)}`)
    setMessage(m)
    if (m.ok) setAmount('')
  }

  return (
    <section className="panel form" aria-label="Swap">
      <h3>Swap</h3>
      <div className="tabs">
        {[Side.Buy, Side.Sell].map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={side === s}
            className={`tab ${side === s ? (s === Side.Buy ? 'buy active' : 'sell active') : ''}`}
            onClick={() => setSide(s)}
          >
            {s === Side.Buy ? `Buy ${base.symbol}` : `Sell ${base.symbol}`}
          </button>
        ))}
      </div>
      <label className="field">
        <span>You pay ({tin.symbol})</span>
        <input
          name="swap-amount"
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
      </label>
      <p className="muted small">Available: {amountText(available, tin)}</p>
      <div className="row">
        <label className="field">
          <span>Max slippage (%)</span>
          <input
            name="swap-slippage"
            inputMode="decimal"
            value={slippage}
            onChange={(e) => setSlippage(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Deadline (s)</span>
          <input
            name="swap-deadline"
            inputMode="numeric"
            value={seconds}
            onChange={(e) => setSeconds(e.target.value)}
          />
        </label>
      </div>
      {preview && preview.result === Reject.None && (
        <dl className="summary" data-testid="swap-preview">
          <dt>You receive</dt>
          <dd data-testid="swap-out">≈ {amountText(preview.out, tout)}</dd>
          <dt>Minimum received</dt>
          <dd data-testid="swap-min-out">{amountText(preview.minOut, tout)}</dd>
          <dt>Pool fee (LP vote)</dt>
          <dd>
            {pct(preview.feeBps)} · {amountText(preview.fee, tin)}
          </dd>
          <dt>Price impact</dt>
          <dd data-testid="swap-impact" className={preview.impactBps >= 300n ? 'down' : undefined}>
            {pct(preview.impactBps)}
          </dd>
          <dt>Order book instead</dt>
          <dd data-testid="swap-book">
            {book === undefined || book === 0n
              ? 'no liquidity in the book'
              : `${amountText(book, tout)} (${book > preview.out ? 'better: use a market order' : 'the pool is better'})`}
          </dd>
        </dl>
      )}
      {(error || refusal) && <p className="error">{error ?? refusal}</p>}
      <button
        type="button"
        className={side === Side.Buy ? 'buy' : 'sell'}
        disabled={!op || readOnly}
        onClick={send}
      >
        Swap
      </button>
      {message && <SubmitStatus message={message} testId="swap-result" okClass="muted" />}
    </section>
  )
}
