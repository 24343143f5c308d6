import { OpTag, OrderKind, Side, TimeInForce } from '../../core/ops.ts'
import type { PerpsSnapshot } from '../../store/perpsSnapshot.ts'
import { formatPrice, formatQty, formatUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage } from '../trading/SubmitStatus.tsx'
import { leverageText, ratioText } from './perpFormat.ts'
import type { PerpMarketInfo } from './usePerps.ts'

/**
 * The margin account (equity, margin ratio, leverage, health; final beside pending; when the perps net with the
 * lending pool, the lending collateral, pool shares and lending debt that enter the same health) and the positions with size,
 * entry, mark, unrealized PnL, funding paid and liquidation price. Close sends a reduce-only market order for the
 * whole position (5 % protection through the best level).
 */
export function PerpPositions({
  perps,
  markets,
  onMessage,
}: {
  perps: PerpsSnapshot
  markets: PerpMarketInfo[]
  onMessage: (m: SubmitMessage) => void
}) {
  const { submit } = useTrading()
  const a = perps.account
  const f = perps.finalAccount
  const collateral = markets[0]?.quote
  const q = (x: bigint) => (collateral ? formatUnits(x, collateral.decimals, 2) : x.toString())
  const unit = collateral?.symbol ?? ''
  const close = (info: PerpMarketInfo, size: bigint) => {
    const depth = perps.depth[info.index]
    const selling = size > 0n
    const best = selling ? depth?.bids[0]?.price : depth?.asks[0]?.price
    if (best === undefined) {
      onMessage({ ok: false, text: `Close ${info.name}: no ${selling ? 'bids' : 'asks'} to trade against` })
      return
    }
    const r = submit({
      tag: OpTag.PerpPlace,
      market: info.index,
      side: selling ? Side.Sell : Side.Buy,
      kind: OrderKind.Market,
      tif: TimeInForce.IOC,
      reduceOnly: true,
      price: selling ? best - best / 20n : best + best / 20n,
      qty: size < 0n ? -size : size,
    })
    onMessage(outcomeMessage(r, `Close ${info.name} submitted`))
  }
  return (
    <div>
      <dl className="summary" aria-label="Margin account" data-testid="margin-account">
        <dt>Equity</dt>
        <dd data-testid="account-equity">
          {q(a.equity)} {unit}
          {f.equity !== a.equity && <span className="pending"> (final {q(f.equity)})</span>}
        </dd>
        <dt>Collateral</dt>
        <dd data-testid="account-collateral">
          {q(a.collateral)} {unit}
          {f.collateral !== a.collateral && <span className="pending"> (final {q(f.collateral)})</span>}
        </dd>
        {perps.nets && (
          <>
            <dt title="Lending supplies at their liquidation thresholds: they back the positions">
              Lending collateral
            </dt>
            <dd data-testid="account-lending-collateral">
              {q(a.supplyCollateral)} {unit}
              {f.supplyCollateral !== a.supplyCollateral && (
                <span className="pending"> (final {q(f.supplyCollateral)})</span>
              )}
            </dd>
            <dt title="AMM pool shares at the pools' fair reserves value at the mark, counted at the weaker token's threshold">
              Pool shares
            </dt>
            <dd data-testid="account-pool-shares">
              {q(a.poolShareValue)} {unit} (counts {q(a.poolCollateral)})
              {f.poolShareValue !== a.poolShareValue && (
                <span className="pending"> (final {q(f.poolShareValue)})</span>
              )}
            </dd>
            <dt title="Loans from the lending pool, at their prices: they count against the positions">
              Lending debt
            </dt>
            <dd data-testid="account-lending-debt">
              {q(a.lendingDebt)} {unit}
              {f.lendingDebt !== a.lendingDebt && (
                <span className="pending"> (final {q(f.lendingDebt)})</span>
              )}
            </dd>
          </>
        )}
        <dt>Margin ratio</dt>
        <dd data-testid="account-ratio">
          {ratioText(a.marginRatioBps)} (liquidation below {ratioText(a.maintenanceMarginBps)})
        </dd>
        <dt>Leverage</dt>
        <dd data-testid="account-leverage">
          {leverageText(a.leverageX100)} of max {a.maxLeverage.toString()}×
        </dd>
        <dt>Health</dt>
        <dd data-testid="account-health" className={a.liquidatable ? 'down' : 'up'}>
          {a.liquidatable ? 'liquidatable' : a.notional === 0n ? 'no positions' : 'healthy'}
        </dd>
      </dl>
      <table className="grid" aria-label="Perp positions">
        <thead>
          <tr>
            <th>Market</th>
            <th>Size</th>
            <th>Entry</th>
            <th>Mark</th>
            <th>Unrealized PnL</th>
            <th>Realized</th>
            <th>Funding paid</th>
            <th>Liq. price</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {perps.positions.length === 0 && (
            <tr>
              <td colSpan={10} className="muted empty">
                No positions
              </td>
            </tr>
          )}
          {perps.positions.map((p) => {
            const info = markets.find((m) => m.index === p.market)
            if (!info) return null
            const { market, base, quote } = info
            const fin = perps.finalPositions.find((x) => x.market === p.market)
            const final = fin !== undefined && fin.size === p.size && fin.entry === p.entry
            const px = (t: bigint) => formatPrice(t, market, base, quote)
            return (
              <tr key={p.market} data-testid={`position-${p.market}`}>
                <td>{info.name}</td>
                <td
                  className={p.size > 0n ? 'up' : p.size < 0n ? 'down' : 'muted'}
                  data-testid="position-size"
                >
                  {p.size > 0n ? 'Long ' : p.size < 0n ? 'Short ' : ''}
                  {formatQty(p.size < 0n ? -p.size : p.size, market, base)} {base.symbol}
                </td>
                <td>{p.size === 0n ? '—' : px(p.entry)}</td>
                <td>{px(p.mark)}</td>
                <td className={p.unrealizedPnl < 0n ? 'down' : 'up'} data-testid="position-upnl">
                  {q(p.unrealizedPnl)}
                </td>
                <td>{q(p.realizedPnl)}</td>
                <td data-testid="position-funding">{q(p.fundingPaid)}</td>
                <td data-testid="position-liq">
                  {p.liquidationPrice === undefined || p.size === 0n ? '—' : px(p.liquidationPrice)}
                </td>
                <td>
                  <span className={final ? 'badge final' : 'badge pending'}>
                    {final ? 'final' : `pending${fin ? ` (final ${formatQty(fin.size, market, base)})` : ''}`}
                  </span>
                </td>
                <td>
                  {p.size !== 0n && (
                    <button type="button" className="link" onClick={() => close(info, p.size)}>
                      Close
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
