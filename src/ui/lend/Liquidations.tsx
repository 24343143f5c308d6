import { useState } from 'react'
import type { LiquidatableLoan } from '../../core/lending/views.ts'
import { OpTag } from '../../core/ops.ts'
import { REJECT_NAMES } from '../../core/reasons.ts'
import { type LendingSnapshot, previewLending } from '../../store/lendingSnapshot.ts'
import { formatUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'
import { healthText } from './lendFormat.ts'

/**
 * Accounts below health 1, for whoever may liquidate: each with its debts and supplies and a Liquidate button that
 * repays its largest debt by value (as much as its most valuable collateral covers with the bonus) from this
 * participant's balance.
 */
export function Liquidations({ lending }: { lending: LendingSnapshot }) {
  const { tokens, names, submit, session, readOnly } = useTrading()
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const liquidate = (l: LiquidatableLoan) => {
    const op = {
      tag: OpTag.LendLiquidate,
      trader: l.trader,
      debtToken: l.debtToken,
      collateralToken: l.collateralToken,
      amount: l.debts[l.debtToken]!,
    } as const
    const verdict = previewLending(session.replica, lending.me, op)
    if (verdict !== 0) {
      setMessage({ ok: false, text: `Refused: ${REJECT_NAMES[verdict] ?? `code ${verdict}`}` })
      return
    }
    setMessage(outcomeMessage(submit(op), `Liquidation of ${names[l.trader]}`))
  }
  const list = (xs: bigint[]) =>
    xs
      .map((x, t) => (x > 0n ? `${formatUnits(x, tokens[t]!.decimals, 6)} ${tokens[t]!.symbol}` : ''))
      .filter(Boolean)
      .join(', ')
  return (
    <section className="panel" aria-label="Loan liquidations">
      <div className="panel-head">Unhealthy loans</div>
      {lending.liquidatable.length === 0 ? (
        <p className="muted empty">Every loan is healthy</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Account</th>
              <th>Health</th>
              <th>Owes</th>
              <th>Supplied</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {lending.liquidatable.map((l) => (
              <tr key={l.trader} data-testid={`unhealthy-${l.trader}`}>
                <td>{names[l.trader]}</td>
                <td className="down">{healthText(l.healthFactorBps)}</td>
                <td>{list(l.debts)}</td>
                <td>{list(l.collateral)}</td>
                <td>
                  <button
                    type="button"
                    disabled={readOnly}
                    data-testid={`liquidate-${l.trader}`}
                    onClick={() => liquidate(l)}
                  >
                    Liquidate
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {message && <SubmitStatus message={message} testId="liquidation-message" />}
    </section>
  )
}
