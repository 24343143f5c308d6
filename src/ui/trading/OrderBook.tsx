import { formatPrice, formatQty } from '../format.ts'
import { useSnapshot, useTrading } from './context.ts'

/** Asks above, bids below, depth bars proportional to cumulative size; clicking a level fills the price field. */
export function OrderBook({ onPick }: { onPick: (ticks: bigint) => void }) {
  const { market, tokens, phase } = useTrading()
  const depth = useSnapshot((s) => s.depth)
  const base = tokens[market.base]!
  const quote = tokens[market.quote]!
  const asks = depth.asks.slice(0, 12)
  const bids = depth.bids.slice(0, 12)
  const cum = (ls: typeof asks) => {
    let c = 0n
    return ls.map((l) => (c += l.qty))
  }
  const askCum = cum(asks)
  const bidCum = cum(bids)
  const max = [...askCum, ...bidCum].reduce((a, b) => (b > a ? b : a), 1n)
  const pct = (x: bigint) => `${Number((x * 1000n) / max) / 10}%`
  const bestBid = bids[0]?.price
  const bestAsk = asks[0]?.price
  const row = (l: (typeof asks)[number], c: bigint, side: 'ask' | 'bid') => (
    <button
      type="button"
      key={`${side}${l.price}`}
      className={`level ${side}`}
      onClick={() => onPick(l.price)}
    >
      <span className="bar" style={{ width: pct(c) }} />
      <span className="price">{formatPrice(l.price, market, base, quote)}</span>
      <span className="num">{formatQty(l.qty, market, base)}</span>
      <span className="num muted">{l.own > 0n ? `you ${formatQty(l.own, market, base)}` : l.orders}</span>
    </button>
  )
  return (
    <section className="panel book" aria-label="Order book">
      <header className="panel-head">
        Order book{' '}
        <span className="muted">
          {base.symbol}/{quote.symbol}
        </span>
      </header>
      {phase === 'finalized' && (
        <p className="muted small" data-testid="book-closed">
          The channel is finalized on chain: these orders rest as it settled, and can no longer fill.
        </p>
      )}
      <div className="cols muted">
        <span>Price ({quote.symbol})</span>
        <span>Size ({base.symbol})</span>
        <span>Orders</span>
      </div>
      <div className="asks">{asks.map((l, i) => row(l, askCum[i]!, 'ask')).reverse()}</div>
      <div className="spread" data-testid="spread">
        {bestBid !== undefined && bestAsk !== undefined
          ? `spread ${formatPrice(bestAsk - bestBid, market, base, quote)}`
          : asks.length + bids.length === 0
            ? 'no resting orders'
            : 'one-sided book'}
      </div>
      <div className="bids">{bids.map((l, i) => row(l, bidCum[i]!, 'bid'))}</div>
    </section>
  )
}
