import type { PerpMarketView } from '../../core/perps/views.ts'
import { formatPrice, formatUnits } from '../format.ts'
import type { PerpMarketInfo } from './usePerps.ts'

/** The market's latest funding payments, newest first: rate per lot and interval (> 0: longs paid shorts). */
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
        </tr>
      </thead>
      <tbody>
        {view.fundingHistory.map((e) => (
          <tr key={e.epoch.toString()} data-testid="funding-row">
            <td>{e.epoch.toString()}</td>
            <td>{e.intervals.toString()}</td>
            <td>{formatPrice(e.mark, market, base, quote)}</td>
            <td>{formatPrice(e.index, market, base, quote)}</td>
            <td className={e.rate > 0n ? 'down' : e.rate < 0n ? 'up' : 'muted'}>{perToken(e.rate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
