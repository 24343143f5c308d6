import type { LendingSnapshot } from '../../store/lendingSnapshot.ts'
import { formatUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { HEALTH_WARNING_BPS, healthText } from './lendFormat.ts'

/** The health factor (collateral at its liquidation threshold / debt), pending and final, with a warning near 1. */
export function HealthPanel({ lending }: { lending: LendingSnapshot }) {
  const { tokens } = useTrading()
  const quote = tokens[lending.quoteToken]!
  const { account, finalAccount } = lending
  const hf = account.healthFactorBps
  const value = (x: bigint) => formatUnits(x / 10_000n, quote.decimals, 2)
  return (
    <section className="panel" aria-label="Health">
      <div className="panel-head">Lending health</div>
      <p>
        Health factor <strong data-testid="health-factor">{healthText(hf)}</strong>{' '}
        <span className="muted">
          (final <span data-testid="health-factor-final">{healthText(finalAccount.healthFactorBps)}</span>)
        </span>{' '}
        · collateral {value(account.health.collateral)} {quote.symbol}
        {account.perpEquity !== 0n && (
          <span className="muted"> (of it perp equity {value(account.perpEquity)})</span>
        )}{' '}
        · debt <span data-testid="health-debt">{value(account.health.debt)}</span> {quote.symbol}
        {account.perpMaintenance > 0n && (
          <span className="muted" data-testid="health-debt-parts">
            {' '}
            (loans {value(account.loans)} + perp maintenance margin {value(account.perpMaintenance)})
          </span>
        )}
      </p>
      {account.liquidatable ? (
        <p className="error" role="alert" data-testid="health-warning">
          Health below 1: your loans can be liquidated now. Repay or supply collateral.
        </p>
      ) : (
        hf !== undefined &&
        hf < HEALTH_WARNING_BPS && (
          <p className="error" role="alert" data-testid="health-warning">
            Close to liquidation: at health 1.00 a liquidator may repay your debt and take your collateral
            with a bonus.
          </p>
        )
      )}
    </section>
  )
}
