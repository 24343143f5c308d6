import type { PerpMarketView } from '../../core/perps/views.ts'
import { formatPrice, formatQty, formatUnits } from '../format.ts'
import { paidText } from './perpFormat.ts'
import type { PerpMarketInfo } from './usePerps.ts'

/**
 * The market's latest funding payments, newest first: rate per lot and interval (> 0: longs paid shorts), the open
 * interest it was paid on and the total that changed hands (exact, in the collateral token).
 */
export function FundingHistory({
  info,
  view,
  intervalMs,
}: {
  info: PerpMarketInfo
  view: PerpMarketView
  intervalMs: bigint
}) {
  const { market, base, quote } = info
  // funding is per lot; shown per whole underlying token
  const perToken = (x: bigint) =>
    formatUnits((x * 10n ** BigInt(base.decimals)) / market.lotSize, quote.decimals, 6)
  if (view.fundingHistory.length === 0)
    return (
      <p className="muted" data-testid="no-funding">
        No funding paid yet (every {(intervalMs / 1000n).toString()} s of the channel clock).
      </p>
    )
  return (
    <table className="grid" aria-label="Funding history">
      <thead>
        <tr>
          <th>Epoch</th>
          <th>Intervals</th>
          <th>Mark</th>
          <th>Index</th>
          <th>
            Rate ({quote.symbol} per {base.symbol})
          </th>
          <th>Open interest ({base.symbol})</th>
          <th>Paid ({quote.symbol})</th>
        </tr>
      </thead>
      <tbody>
        {view.fundingHistory.map((e) => (
          <tr key={e.epoch.toString()} data-testid="funding-row">
            <td>{e.epoch.toString()}</td>
            <td>{e.intervals.toString()}</td>
            <td>{formatPrice(e.mark, market, base, quote)}</td>
            <td>{formatPrice(e.index, market, base, quote)}</td>
            <td className={e.rate > 0n ? 'down' : e.rate < 0n ? 'up' : 'muted'} data-testid="funding-rate">
              {perToken(e.rate)}
            </td>
            <td>{formatQty(e.openInterest, market, base)}</td>
            <td data-testid="funding-paid">{paidText(e.paid, quote.decimals)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
