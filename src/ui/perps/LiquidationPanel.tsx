import { type Op, OpTag } from '../../core/ops.ts'
import { previewPerpOp } from '../../core/perps/preview.ts'
import { REJECT_NAMES } from '../../core/reasons.ts'
import type { PerpsSnapshot } from '../../store/perpsSnapshot.ts'
import { formatQty, formatUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage } from '../trading/SubmitStatus.tsx'
import type { PerpMarketInfo } from './usePerps.ts'

/**
 * Accounts below maintenance margin, and for those allowed to liquidate (the Liquidator role, or anyone when the
 * channel says so) a Liquidate button per position. The liquidator takes the position over at mark, so its own
 * margin must carry it: the core's reason is shown when it would not.
 */
export function LiquidationPanel({
  perps,
  markets,
  onMessage,
}: {
  perps: PerpsSnapshot
  markets: PerpMarketInfo[]
  onMessage: (m: SubmitMessage) => void
}) {
  const { submit, session, names } = useTrading()
  if (perps.liquidatable.length === 0)
    return (
      <p className="muted" data-testid="no-liquidations">
        Every account is above maintenance margin.
      </p>
    )
  return (
    <table className="grid" aria-label="Liquidatable positions">
      <thead>
        <tr>
          <th>Trader</th>
          <th>Market</th>
          <th>Size</th>
          <th>Equity</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {perps.liquidatable.map((row) => {
          const info = markets.find((m) => m.index === row.market)
          if (!info) return null
          const name = names[row.trader] ?? `#${row.trader}`
          const op: Op = { tag: OpTag.Liquidate, trader: row.trader, market: row.market }
          const own = row.trader === perps.me
          const verdict =
            perps.canLiquidate && !own
              ? previewPerpOp({ state: session.replica.state, op, author: perps.me, time: perps.clock })
                  .result
              : undefined
          return (
            <tr key={`${row.trader}:${row.market}`} data-testid={`liquidatable-${row.trader}`}>
              <td>{name}</td>
              <td>{info.name}</td>
              <td>
                {row.size > 0n ? 'Long ' : 'Short '}
                {formatQty(row.size < 0n ? -row.size : row.size, info.market, info.base)}
              </td>
              <td>{formatUnits(row.equity, info.quote.decimals, 2)}</td>
              <td>
                {own ? (
                  <span className="down">your account</span>
                ) : !perps.canLiquidate ? (
                  <span className="muted">only the Liquidator role may liquidate</span>
                ) : (
                  <>
                    <button
                      type="button"
                      className="sell"
                      onClick={() =>
                        onMessage(
                          outcomeMessage(submit(op), `Liquidation of ${name} in ${info.name} submitted`),
                        )
                      }
                    >
                      Liquidate {name}
                    </button>
                    {verdict !== undefined && verdict !== 0 && (
                      <span className="error"> {REJECT_NAMES[verdict]}</span>
                    )}
                  </>
                )}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
