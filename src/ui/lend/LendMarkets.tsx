import type { LendingSnapshot } from '../../store/lendingSnapshot.ts'
import { formatUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { bpsText, priceText } from './lendFormat.ts'

/** The pool's tokens: price, supplied, borrowed, utilization, rates, LTV and threshold, and this account's share. */
export function LendMarkets({ lending }: { lending: LendingSnapshot }) {
  const { tokens } = useTrading()
  const quote = tokens[lending.quoteToken]!
  return (
    <section className="panel" aria-label="Lending markets">
      <div className="panel-head">Lending pool</div>
      <table className="grid">
        <thead>
          <tr>
            <th>Token</th>
            <th>Price ({quote.symbol})</th>
            <th>Supplied</th>
            <th>Borrowed</th>
            <th>Utilization</th>
            <th>Supply APR</th>
            <th>Borrow APR</th>
            <th>LTV / liq.</th>
            <th>You supply</th>
            <th>You owe</th>
          </tr>
        </thead>
        <tbody>
          {lending.markets.map((m) => {
            const t = tokens[m.token]!
            const mine = lending.account.positions.find((p) => p.token === m.token)!
            const fmt = (x: bigint) => formatUnits(x, t.decimals, 6)
            return (
              <tr key={m.token} data-testid={`lend-market-${t.symbol}`}>
                <td>{t.symbol}</td>
                <td>{priceText(m.price, t, quote)}</td>
                <td>{fmt(m.supplied)}</td>
                <td>{fmt(m.borrowed)}</td>
                <td>{bpsText(m.utilizationBps)}</td>
                <td>{bpsText(m.supplyRateBps)}</td>
                <td>{bpsText(m.borrowRateBps)}</td>
                <td>
                  {bpsText(m.ltvBps)} / {bpsText(m.liquidationThresholdBps)}
                </td>
                <td data-testid={`lend-supplied-${t.symbol}`}>{fmt(mine.supplied)}</td>
                <td data-testid={`lend-borrowed-${t.symbol}`}>{fmt(mine.borrowed)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {lending.markets.some((m) => m.badDebt > 0n) && (
        <p className="muted">
          Bad debt written off:{' '}
          {lending.markets
            .filter((m) => m.badDebt > 0n)
            .map((m) => `${formatUnits(m.badDebt, tokens[m.token]!.decimals, 6)} ${tokens[m.token]!.symbol}`)
            .join(', ')}
        </p>
      )}
    </section>
  )
}
