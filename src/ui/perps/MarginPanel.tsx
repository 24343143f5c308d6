import { useState } from 'react'
import { OpTag } from '../../core/ops.ts'
import type { PerpsSnapshot } from '../../store/perpsSnapshot.ts'
import { AmountError, formatUnits, parseUnits, type TokenInfo } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'

/**
 * Moves collateral between the channel balance and the margin account (MarginDeposit / MarginWithdraw). Amounts
 * over what is available or withdrawable are refused here with the numbers, before anything is sent.
 */
export function MarginPanel({ perps, collateral }: { perps: PerpsSnapshot; collateral: TokenInfo }) {
  const { submit } = useTrading()
  const [amount, setAmount] = useState('')
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const fmt = (x: bigint) => formatUnits(x, collateral.decimals, 6)
  let value: bigint | undefined
  let error: string | undefined
  try {
    if (amount !== '') value = parseUnits(amount, collateral.decimals)
    if (value === 0n) error = 'enter an amount above zero'
  } catch (e) {
    error = e instanceof AmountError ? e.message : String(e)
  }
  // each direction's limit, said as the amount is typed and its button disabled (the deposit was refused only after
  // a click)
  const overDeposit = value !== undefined && value > perps.available
  const overWithdraw = value !== undefined && value > perps.account.withdrawable
  const send = (deposit: boolean) => {
    if (value === undefined || error) return
    if (deposit && value > perps.available) {
      setMessage({ ok: false, text: `Refused: only ${fmt(perps.available)} ${collateral.symbol} available` })
      return
    }
    if (!deposit && value > perps.account.withdrawable) {
      setMessage({
        ok: false,
        text: `Refused: at most ${fmt(perps.account.withdrawable)} ${collateral.symbol} can leave the margin account (initial margin)`,
      })
      return
    }
    const r = submit(
      deposit ? { tag: OpTag.MarginDeposit, amount: value } : { tag: OpTag.MarginWithdraw, amount: value },
    )
    const text = outcomeMessage(
      r,
      `${deposit ? 'Margin deposit' : 'Margin withdrawal'} of ${fmt(value)} ${collateral.symbol}`,
    )
    if (text.ok) setAmount('')
    setMessage(text)
  }
  return (
    <section className="panel" aria-label="Margin">
      <div className="panel-head">Margin ({collateral.symbol})</div>
      <p className="muted">
        Channel balance <span data-testid="margin-available">{fmt(perps.available)}</span> · withdrawable{' '}
        <span data-testid="margin-withdrawable">{fmt(perps.account.withdrawable)}</span>
      </p>
      <label className="field">
        <span>Amount ({collateral.symbol})</span>
        <input
          name="margin-amount"
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
      </label>
      {error && amount !== '' && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!error && (overDeposit || overWithdraw) && (
        <p className="muted" data-testid="margin-limits">
          {overDeposit && `Deposit: only ${fmt(perps.available)} ${collateral.symbol} in the channel. `}
          {overWithdraw &&
            `Withdraw: at most ${fmt(perps.account.withdrawable)} ${collateral.symbol} can leave the margin account (initial margin).`}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          disabled={value === undefined || !!error || overDeposit}
          onClick={() => send(true)}
        >
          Deposit margin
        </button>
        <button
          type="button"
          disabled={value === undefined || !!error || overWithdraw}
          onClick={() => send(false)}
        >
          Withdraw margin
        </button>
      </div>
      {message && <SubmitStatus message={message} />}
    </section>
  )
}
