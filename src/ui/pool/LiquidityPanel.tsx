import { useState } from 'react'
import { FEE_TIERS_BPS } from '../../core/amm/fees.ts'
import { previewAdd, previewRemove } from '../../core/amm/views.ts'
import { OpTag } from '../../core/ops.ts'
import type { AmmSnapshot, PoolView } from '../../store/ammSnapshot.ts'
import { AmountError, formatUnits, parseUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'
import { amountText, parsePercentBps, pct, quoteAtRatio } from './poolFormat.ts'

/** What a concurrent swap may move the ratio by before an add or a removal is refused (minimum shares / outputs). */
const TOLERANCE_BPS = 50n

/**
 * Add liquidity (the first deposit sets the price; later ones take the pool ratio and leave the rest in your
 * balance) with your fee vote, and remove a share of your liquidity for both tokens.
 */
export function LiquidityPanel({ amm, view }: { amm: AmmSnapshot; view: PoolView }) {
  const { tokens, submit, readOnly } = useTrading()
  const base = tokens[view.base]!
  const quote = tokens[view.quote]!
  const [baseText, setBaseText] = useState('')
  const [quoteText, setQuoteText] = useState('')
  const [vote, setVote] = useState<bigint>(view.myVoteBps ?? 30n)
  const [removePct, setRemovePct] = useState('')
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const open = view.totalShares > 0n

  let addError: string | undefined
  let baseMax: bigint | undefined
  let quoteMax: bigint | undefined
  try {
    if (baseText !== '') baseMax = parseUnits(baseText, base.decimals)
    if (quoteText !== '') quoteMax = parseUnits(quoteText, quote.decimals)
    if (baseMax !== undefined && baseMax > (amm.available[view.base] ?? 0n))
      throw new AmountError(`more than your available ${amountText(amm.available[view.base] ?? 0n, base)}`)
    if (quoteMax !== undefined && quoteMax > (amm.available[view.quote] ?? 0n))
      throw new AmountError(`more than your available ${amountText(amm.available[view.quote] ?? 0n, quote)}`)
  } catch (e) {
    addError = e instanceof AmountError ? e.message : String(e)
  }
  const add =
    baseMax !== undefined && quoteMax !== undefined ? previewAdd(view.pool, baseMax, quoteMax) : undefined
  if (!addError && add && add.minted === 0n)
    addError = open
      ? 'too small to mint a pool share'
      : 'a first deposit must mint more than the 1,000 locked shares (√(base · quote) > 1,000)'

  let removeError: string | undefined
  let shares: bigint | undefined
  try {
    if (removePct !== '') {
      const bps = parsePercentBps(removePct, 100)
      shares = (view.myShares * bps) / 10_000n
      if (shares === 0n) throw new AmountError('you hold no shares to remove')
    }
  } catch (e) {
    removeError = e instanceof AmountError ? e.message : String(e)
  }
  const out = shares === undefined ? undefined : previewRemove(view.pool, shares)

  /** the quote amount at the pool ratio for a typed base amount, as the user would type it */
  const matchingQuote = (text: string): string | undefined => {
    try {
      const q = quoteAtRatio(parseUnits(text, base.decimals), view.reserveBase, view.reserveQuote)
      return formatUnits(q, quote.decimals).replace(/,/g, '')
    } catch {
      return undefined
    }
  }
  const sendAdd = () => {
    if (baseMax === undefined || quoteMax === undefined || !add || addError) return
    const r = submit({
      tag: OpTag.AmmAdd,
      market: view.market,
      baseMax,
      quoteMax,
      minShares: (add.minted * (10_000n - TOLERANCE_BPS)) / 10_000n,
      voteBps: Number(vote),
    })
    const m = outcomeMessage(r, `Added ${amountText(add.base, base)} + ${amountText(add.quote, quote)}`)
    setMessage(m)
    if (m.ok) {
      setBaseText('')
      setQuoteText('')
    }
  }
  const sendRemove = () => {
    if (shares === undefined || !out || removeError) return
    const r = submit({
      tag: OpTag.AmmRemove,
      market: view.market,
      shares,
      minBase: (out.base * (10_000n - TOLERANCE_BPS)) / 10_000n,
      minQuote: (out.quote * (10_000n - TOLERANCE_BPS)) / 10_000n,
    })
    const m = outcomeMessage(r, `Removed ${amountText(out.base, base)} + ${amountText(out.quote, quote)}`)
    setMessage(m)
    if (m.ok) setRemovePct('')
  }

  return (
    <section className="panel form" aria-label="Liquidity">
      <h3>Liquidity</h3>
      <p className="muted small">
        {open
          ? 'Deposits take the pool ratio; what does not fit stays in your balance.'
          : 'The pool is empty: your first deposit sets its price.'}
      </p>
      <div className="row">
        <label className="field">
          <span>{base.symbol}</span>
          <input
            name="add-base"
            inputMode="decimal"
            value={baseText}
            onChange={(e) => {
              setBaseText(e.target.value)
              if (open) setQuoteText(matchingQuote(e.target.value) ?? quoteText)
            }}
          />
        </label>
        <label className="field">
          <span>{quote.symbol}</span>
          <input
            name="add-quote"
            inputMode="decimal"
            value={quoteText}
            onChange={(e) => setQuoteText(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Your fee vote</span>
          <select name="add-vote" value={vote.toString()} onChange={(e) => setVote(BigInt(e.target.value))}>
            {FEE_TIERS_BPS.map((t) => (
              <option key={t.toString()} value={t.toString()}>
                {pct(t)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {add && !addError && (
        <p className="muted small" data-testid="add-preview">
          Takes {amountText(add.base, base)} + {amountText(add.quote, quote)} · mints{' '}
          {formatUnits(add.minted, 0)} shares ({pct(add.shareBps)} of the pool)
        </p>
      )}
      {addError && <p className="error">{addError}</p>}
      <button type="button" disabled={readOnly || !add || !!addError} onClick={sendAdd}>
        Add liquidity
      </button>
      <div className="row">
        <label className="field">
          <span>Remove (% of your shares)</span>
          <input
            name="remove-pct"
            inputMode="decimal"
            value={removePct}
            onChange={(e) => setRemovePct(e.target.value)}
          />
        </label>
        <fieldset className="shortcuts" aria-label="Share of your liquidity">
          {['25', '50', '75', '100'].map((p) => (
            <button
              key={p}
              type="button"
              className="secondary small"
              disabled={view.myShares === 0n}
              onClick={() => setRemovePct(p)}
            >
              {p === '100' ? 'Max' : `${p}%`}
            </button>
          ))}
        </fieldset>
      </div>
      {out && !removeError && (
        <p className="muted small" data-testid="remove-preview">
          You receive {amountText(out.base, base)} + {amountText(out.quote, quote)}
        </p>
      )}
      {removeError && <p className="error">{removeError}</p>}
      <button
        type="button"
        className="secondary"
        disabled={readOnly || !out || !!removeError}
        onClick={sendRemove}
      >
        Remove liquidity
      </button>
      {message && <SubmitStatus message={message} testId="liquidity-result" okClass="muted" />}
    </section>
  )
}
