import { useState } from 'react'
import { phaseNotice } from '../../core/phase.ts'
import { finalityText } from '../../store/liveness.ts'
import { formatPrice } from '../format.ts'
import { PerpsScreen } from '../perps/PerpsScreen.tsx'
import { PoolScreen } from '../pool/PoolScreen.tsx'
import { Activity } from './Activity.tsx'
import { useSnapshot, useTrading } from './context.ts'
import { OrderBook } from './OrderBook.tsx'
import { OrderEntry } from './OrderEntry.tsx'
import { PriceChart } from './PriceChart.tsx'
import { Balances, Explorer, OpenOrders, Peers, TradeHistory } from './Tables.tsx'
import { clockTime, useLiveness } from './useLiveness.ts'

const TABS = ['Open orders', 'Trades', 'Balances', 'Peers', 'Explorer'] as const
type Tab = (typeof TABS)[number]

/** The exchange screen: book, chart and order entry on top; orders, trades, balances, peers, explorer below. */
export function TradingScreen({ settlement }: { settlement?: React.ReactNode }) {
  const { market, tokens, readOnly, otherDevice, phase } = useTrading()
  const notice = phaseNotice(phase)
  const [price, setPrice] = useState('')
  const [tab, setTab] = useState<Tab>('Open orders')
  const base = tokens[market.base]!
  const quote = tokens[market.quote]!
  return (
    <div className="trading">
      {readOnly && otherDevice && (
        <div className="banner" role="status" data-testid="read-only">
          This wallet authorised its channel session key in another browser, which is the one that signs its
          orders and checkpoints. This browser follows the channel read-only: balances, orders and
          checkpoints, and the on-chain steps your wallet signs itself (propose, finalize, claim and
          withdraw).
        </div>
      )}
      {readOnly && !otherDevice && (
        <div className="banner" role="status" data-testid="read-only">
          This channel is open in another tab, which is the one that signs. This tab shows the same state and
          takes over when that tab closes.
        </div>
      )}
      {notice && (
        <div className="banner" role="status" data-testid="channel-phase">
          {notice}
        </div>
      )}
      <FinalityLine />
      <div className="top">
        <OrderBook onPick={(t) => setPrice(formatPrice(t, market, base, quote).replace(/,/g, ''))} />
        <PriceChart />
        {readOnly ? (
          <section className="panel muted">
            Order entry is in the {otherDevice ? 'browser that holds the session key' : 'other tab'}.
          </section>
        ) : (
          <OrderEntry price={price} setPrice={setPrice} />
        )}
      </div>
      <PerpsScreen />
      <Activity />
      <PoolScreen />
      <div className="panel bottom">
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
            </button>
          ))}
        </div>
        <div role="tabpanel">
          {tab === 'Open orders' && <OpenOrders />}
          {tab === 'Trades' && <TradeHistory />}
          {tab === 'Balances' && <Balances />}
          {tab === 'Peers' && <Peers />}
          {tab === 'Explorer' && <Explorer />}
        </div>
      </div>
      {settlement}
    </div>
  )
}

/**
 * The finality status line, its own component: it follows every block and every own op, and the screen around it
 * (book, chart, forms, tables) must not re-render with it: each of those subscribes to what it shows.
 */
function FinalityLine() {
  const finalCount = useSnapshot((s) => s.finalCount)
  const blockCount = useSnapshot((s) => s.blockCount)
  const pendingOps = useSnapshot((s) => s.pendingOps)
  // ops in blocks not final yet (checkpoint signatures aside: bookkeeping, not the user's), and their oldest round
  const unfinalOps = useSnapshot((s) => {
    let k = 0
    for (const b of s.blocks) if (!b.final) k += b.ops.filter((o) => o.kind !== 'checkpoint').length
    return k
  })
  const oldestPendingRound = useSnapshot((s) => {
    let r: number | undefined
    for (const b of s.blocks)
      if (!b.final && b.ops.some((o) => o.kind !== 'checkpoint') && (r === undefined || b.round < r))
        r = b.round
    return r
  })
  const { channel, names, phase } = useTrading()
  const liveness = useLiveness()
  const finality = finalityText({
    finalized: phase === 'finalized',
    pendingOps: pendingOps + unfinalOps,
    oldestPendingRound,
    n: channel.config.participants.length,
    q: channel.config.threshold,
    names,
    liveness,
    time: (ms) => clockTime(ms),
  })
  return (
    <div
      className="status-line muted"
      data-testid="finality"
      title={`${blockCount} blocks · ${finalCount} final · ${blockCount - finalCount} pending`}
    >
      {finality}
    </div>
  )
}
