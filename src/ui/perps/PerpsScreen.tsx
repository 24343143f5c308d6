import { useState } from 'react'
import { formatPrice, formatQty, formatUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'
import { FundingHistory } from './FundingHistory.tsx'
import { LiquidationPanel } from './LiquidationPanel.tsx'
import { MarginPanel } from './MarginPanel.tsx'
import { OraclePanel } from './OraclePanel.tsx'
import { PerpOrderEntry } from './PerpOrderEntry.tsx'
import { PerpPositions } from './PerpPositions.tsx'
import { usePerpMarkets, usePerps } from './usePerps.ts'

const TABS = ['Positions', 'Liquidations', 'Funding'] as const

/**
 * The perpetual-futures screen of a channel with perp markets (nothing otherwise): market selector with mark,
 * index, last trade and funding; the market's book; order entry with leverage and liquidation price before you
 * submit; the margin account; the oracle panel for the oracle participant; positions, liquidations and funding.
 */
export function PerpsScreen() {
  const perps = usePerps()
  const markets = usePerpMarkets()
  const { readOnly, channel, tokens } = useTrading()
  const [selected, setSelected] = useState(markets[0]?.index ?? 0)
  const [tab, setTab] = useState<(typeof TABS)[number]>('Positions')
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const info = markets.find((m) => m.index === selected) ?? markets[0]
  const pp = channel.config.params.perps
  if (!perps || !info || !pp) return null
  const view = perps.markets.find((m) => m.market === info.index)!
  const { market, base, quote } = info
  const px = (t: bigint | undefined) => (t === undefined ? '—' : formatPrice(t, market, base, quote))
  const depth = perps.depth[info.index] ?? { bids: [], asks: [] }
  const collateral = tokens[pp.collateralToken]!
  return (
    <section className="panel perps" aria-label="Perpetuals">
      <div className="panel-head row">
        <label className="field">
          <span>Perp market</span>
          <select name="perp-market" value={info.index} onChange={(e) => setSelected(Number(e.target.value))}>
            {markets.map((m) => (
              <option key={m.index} value={m.index}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <span>
          Mark <strong data-testid="perp-mark">{px(view.mark)}</strong>
        </span>
        <span>
          Index <span data-testid="perp-index">{px(view.oracle)}</span>
        </span>
        <span>Last {px(view.lastTrade)}</span>
        <span>
          Funding {formatUnits(view.fundingRate, quote.decimals, 6)} {quote.symbol}/lot per{' '}
          {(pp.fundingIntervalMs / 1000n).toString()} s
        </span>
        <span>
          Open interest {formatQty(view.openInterest, market, base)} {base.symbol}
        </span>
      </div>
      {view.oracle === undefined && (
        <p className="muted" data-testid="perp-no-price">
          No index price yet: the market trades once the oracle posts one.
        </p>
      )}
      <div className="top">
        <table className="grid" aria-label="Perp depth">
          <thead>
            <tr>
              <th>Price</th>
              <th>Size ({base.symbol})</th>
            </tr>
          </thead>
          <tbody>
            {depth.asks
              .slice()
              .reverse()
              .map((l) => (
                <tr key={`a${l.price}`} className="down">
                  <td>{px(l.price)}</td>
                  <td>{formatQty(l.qty, market, base)}</td>
                </tr>
              ))}
            {depth.bids.map((l) => (
              <tr key={`b${l.price}`} className="up">
                <td>{px(l.price)}</td>
                <td>{formatQty(l.qty, market, base)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {readOnly ? (
          <p className="muted">Order entry is in the other tab.</p>
        ) : (
          <PerpOrderEntry info={info} perps={perps} />
        )}
        {!readOnly && (
          <div>
            <MarginPanel perps={perps} collateral={collateral} />
            {perps.me === perps.oracle && <OraclePanel info={info} perps={perps} />}
          </div>
        )}
      </div>
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={`tab ${tab === t ? 'active' : ''}`}
            onClick={() => setTab(t)}
          >
            {t}
            {t === 'Liquidations' && perps.liquidatable.length > 0 ? ` (${perps.liquidatable.length})` : ''}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'Positions' && <PerpPositions perps={perps} markets={markets} onMessage={setMessage} />}
        {tab === 'Liquidations' && (
          <LiquidationPanel perps={perps} markets={markets} onMessage={setMessage} />
        )}
        {tab === 'Funding' && <FundingHistory info={info} view={view} intervalMs={pp.fundingIntervalMs} />}
      </div>
      {message && <SubmitStatus message={message} testId="perps-message" />}
    </section>
  )
}
