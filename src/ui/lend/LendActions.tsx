import { useState } from 'react'
import { type Op, OpTag } from '../../core/ops.ts'
import { REJECT_NAMES } from '../../core/reasons.ts'
import { type LendingSnapshot, previewLending } from '../../store/lendingSnapshot.ts'
import { AmountError, formatUnits, parseUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'

const ACTIONS = [
  { tag: OpTag.LendSupply, label: 'Supply', done: 'Supplied' },
  { tag: OpTag.LendWithdraw, label: 'Withdraw', done: 'Withdrew' },
  { tag: OpTag.LendBorrow, label: 'Borrow', done: 'Borrowed' },
  { tag: OpTag.LendRepay, label: 'Repay', done: 'Repaid' },
] as const

/**
 * Supply, withdraw, borrow and repay one token. Each button shows its limit (Max fills it); an op the fold would
 * refuse at this moment (loan-to-value, pool cash, no price, …) is refused here with its reason, before anything is
 * sent, and a rejection at its final position shows the reason too.
 */
export function LendActions({ lending }: { lending: LendingSnapshot }) {
  const { tokens, submit, session, readOnly } = useTrading()
  const [token, setToken] = useState(lending.markets[0]?.token ?? 0)
  const [amount, setAmount] = useState('')
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const info = tokens[token]!
  const mine = lending.account.positions.find((p) => p.token === token)
  const fmt = (x: bigint) => formatUnits(x, info.decimals, 6)
  let value: bigint | undefined
  let error: string | undefined
  try {
    if (amount !== '') value = parseUnits(amount, info.decimals)
    if (value === 0n) error = 'enter an amount above zero'
  } catch (e) {
    error = e instanceof AmountError ? e.message : String(e)
  }
  if (!mine) return null
  const limits: Record<number, bigint> = {
    [OpTag.LendSupply]: mine.available,
    [OpTag.LendWithdraw]: mine.withdrawable,
    [OpTag.LendBorrow]: mine.borrowable,
    [OpTag.LendRepay]: mine.borrowed < mine.available ? mine.borrowed : mine.available,
  }
  const send = (a: (typeof ACTIONS)[number]) => {
    if (value === undefined || error) return
    const op = { tag: a.tag, token, amount: value } as Op
    const verdict = previewLending(session.replica, lending.me, op)
    if (verdict !== 0) {
      setMessage({ ok: false, text: `Refused: ${REJECT_NAMES[verdict] ?? `code ${verdict}`}` })
      return
    }
    const r = outcomeMessage(submit(op), `${a.done} ${fmt(value)} ${info.symbol}`)
    if (r.ok) setAmount('')
    setMessage(r)
  }
  return (
    <section className="panel" aria-label="Supply and borrow">
      <div className="panel-head">Supply and borrow</div>
      <label className="field">
        <span>Token</span>
        <select name="lend-token" value={token} onChange={(e) => setToken(Number(e.target.value))}>
          {lending.markets.map((m) => (
            <option key={m.token} value={m.token}>
              {tokens[m.token]!.symbol}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Amount ({info.symbol})</span>
        <input
          name="lend-amount"
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
      <div className="row">
        {ACTIONS.map((a) => (
          <button
            key={a.tag}
            type="button"
            data-testid={`lend-${a.label.toLowerCase()}`}
            disabled={readOnly || value === undefined || !!error}
            onClick={() => send(a)}
          >
            {a.label}
          </button>
        ))}
      </div>
      <p className="muted">
        {ACTIONS.map((a, i) => (
          <span key={a.tag}>
            {i > 0 && ' · '}
            {a.label} up to{' '}
            <button
              type="button"
              className="link"
              onClick={() => setAmount(fmt(limits[a.tag]!).replace(/,/g, ''))}
            >
              {fmt(limits[a.tag]!)}
            </button>
          </span>
        ))}
      </p>
      {message && <SubmitStatus message={message} testId="lend-message" />}
    </section>
  )
}
