import { HealthPanel } from './HealthPanel.tsx'
import { LendActions } from './LendActions.tsx'
import { LendMarkets } from './LendMarkets.tsx'
import { Liquidations } from './Liquidations.tsx'
import { SpotOraclePanel } from './SpotOraclePanel.tsx'
import { useLending } from './useLending.ts'

/**
 * The Lend screen: the pool's tokens with rates, this participant's health factor (with a warning before
 * liquidation), supply / withdraw / borrow / repay, and — for whoever may liquidate — the unhealthy accounts with a
 * Liquidate button. Renders nothing in a channel without a lending pool.
 */
export function LendScreen() {
  const lending = useLending()
  if (!lending) return null
  return (
    <section className="lend" aria-label="Lend" data-testid="lend">
      <HealthPanel lending={lending} />
      <LendMarkets lending={lending} />
      <div className="panels-row">
        <LendActions lending={lending} />
        {lending.canLiquidate && <Liquidations lending={lending} />}
        {lending.me === lending.oracle && <SpotOraclePanel />}
      </div>
    </section>
  )
}
