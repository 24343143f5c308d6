import { useEffect, useState } from 'react'
import { OpTag, Side } from '../../core/ops.ts'
import { REJECT_NAMES } from '../../core/reasons.ts'
import { formatPrice, formatQty, formatUnits, orderLabel, priceDecimals } from '../format.ts'
import { useSnapshot, useTrading } from './context.ts'
import { clockTime, useLiveness } from './useLiveness.ts'

export function OpenOrders() {
  const { market, tokens, submit, names } = useTrading()
  const orders = useSnapshot((s) => s.openOrders)
  // orders whose cancel was submitted, until the next UI snapshot: the list comes from it, so until then the row
  // stays, and a second click (a double-click) submitted a second cancel the channel rejected ("unknown order"); a
  // cancel that did not take shows its row again with the next snapshot
  const [cancelling, setCancelling] = useState<{ of: typeof orders; keys: ReadonlySet<string> }>()
  const isCancelling = (key: string) => cancelling?.of === orders && cancelling.keys.has(key)
  const base = tokens[market.base]!
  const quote = tokens[market.quote]!
  if (orders.length === 0) return <p className="muted empty">No open orders</p>
  const cancel = (o: (typeof orders)[number]) => {
    if (isCancelling(o.key)) return
    const r = submit({ tag: OpTag.Cancel, orderSeq: o.seq, orderIndex: o.index })
    if (r.ok && r.result === 0)
      setCancelling((c) => ({ of: orders, keys: new Set(c?.of === orders ? c.keys : []).add(o.key) }))
  }
  return (
    <table className="grid" aria-label="Open orders">
      <thead>
        <tr>
          <th>Side</th>
          <th>Price</th>
          <th>Remaining</th>
          <th>Order</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr key={o.key}>
            <td className={o.side === Side.Buy ? 'up' : 'down'}>{o.side === Side.Buy ? 'Buy' : 'Sell'}</td>
            <td>{formatPrice(o.price, market, base, quote)}</td>
            <td>{formatQty(o.remaining, market, base)}</td>
            <td className="mono muted" title={o.key}>
              {orderLabel(o.key, names)}
            </td>
            <td>
              <button type="button" className="link" disabled={isCancelling(o.key)} onClick={() => cancel(o)}>
                {isCancelling(o.key) ? 'Cancelling…' : 'Cancel'}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function TradeHistory() {
  const { market, tokens, names } = useTrading()
  const rows = useSnapshot((s) => s.tradeRows)
  const base = tokens[market.base]!
  const quote = tokens[market.quote]!
  if (rows.length === 0) return <p className="muted empty">No trades yet</p>
  const unit = 10n ** BigInt(base.decimals)
  // an order's average fill price in quote per whole base token, shown like the book's prices (+2 decimals)
  const average = (n: bigint, q: bigint) =>
    formatUnits(
      (n * market.tickSize * unit) / (q * market.lotSize),
      quote.decimals,
      Math.min(quote.decimals, priceDecimals(market, base, quote) + 2),
    )
  return (
    <table className="grid" aria-label="Trade history">
      <thead>
        <tr>
          <th>Time</th>
          <th>Side (you)</th>
          <th>Price</th>
          <th>Size</th>
          <th>Fee (you)</th>
          <th>Avg price (your order)</th>
          <th>Taker</th>
          <th>Maker</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ trade: t, time, final, mine }) => (
          <tr key={`${t.takerOrder}-${t.makerOrder}`} className={mine ? 'mine' : ''} data-testid="trade-row">
            <td className="muted">{time > 0n ? clockTime(Number(time)) : '—'}</td>
            <td className={mine ? (mine.side === Side.Buy ? 'up' : 'down') : 'muted'}>
              {mine ? `${mine.side === Side.Buy ? 'Buy' : 'Sell'} (${mine.role})` : '—'}
            </td>
            <td className={t.takerSide === Side.Buy ? 'up' : 'down'}>
              {formatPrice(t.price, market, base, quote)}
            </td>
            <td>{formatQty(t.qty, market, base)}</td>
            <td>{mine ? `${formatUnits(mine.fee, quote.decimals, 6)} ${quote.symbol}` : '—'}</td>
            <td title={mine ? `order ${orderLabel(mine.order, names)}` : undefined}>
              {mine ? average(mine.orderNotional, mine.orderQty) : '—'}
            </td>
            <td>{names[t.taker]}</td>
            <td>{names[t.maker]}</td>
            <td className={final ? 'up' : 'pending'}>{final ? 'final' : 'pending'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function Balances() {
  const { tokens } = useTrading()
  const rows = useSnapshot((s) => s.balances)
  const finals = useSnapshot((s) => s.finalBalances)
  return (
    <table className="grid" aria-label="Balances">
      <thead>
        <tr>
          <th>Token</th>
          <th>Available</th>
          <th>In orders</th>
          <th>Locked</th>
          <th>Withdrawing</th>
          <th title="the perps margin account, lending supplies less debt and AMM pool shares, at settlement value">
            Perps · lending · AMM
          </th>
          <th>Total (pending)</th>
          <th>Total (final)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const t = tokens[r.token]!
          const f = (x: bigint) => formatUnits(x, t.decimals, 6)
          const fin = finals[r.token]?.total ?? 0n
          return (
            <tr key={r.token} data-testid={`balance-${t.symbol}`}>
              <td>{t.symbol}</td>
              <td data-testid="available">{f(r.available)}</td>
              <td>{f(r.reserved)}</td>
              <td>{f(r.locked)}</td>
              <td>{f(r.pendingWithdrawal)}</td>
              <td data-testid="in-modules">{r.inModules < 0n ? `−${f(-r.inModules)}` : f(r.inModules)}</td>
              <td className={r.total !== fin ? 'pending' : ''}>{f(r.total)}</td>
              <td>{f(fin)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

export function Peers() {
  const { names, presence } = useTrading()
  const [online, setOnline] = useState<ReturnType<typeof presence>>([])
  useEffect(() => {
    const tick = () => setOnline(presence())
    tick()
    const t = setInterval(tick, 1000)
    return () => clearInterval(t)
  }, [presence])
  const me = useSnapshot((s) => s.me)
  const authors = useSnapshot((s) => s.authors)
  const ingress = useSnapshot((s) => s.ingress)
  const equivocations = useSnapshot((s) => s.equivocations)
  const liveness = useLiveness()
  const onlineLabel = (p: number) => {
    if (p === me) return 'you'
    const l = liveness[p]
    if (!l?.online) return l?.since === undefined ? 'not seen yet' : `offline since ${clockTime(l.since)}`
    const entries = online.filter((o) => o.participant === p)
    const behind = entries.length === 0 ? 0 : Math.max(...entries.map((o) => o.behind))
    return behind > 0 ? `online, ${behind} blocks behind` : 'online'
  }
  return (
    <div>
      <table className="grid" aria-label="Participants">
        <thead>
          <tr>
            <th>Participant</th>
            <th>Latest block</th>
            <th>Lag (blocks)</th>
            <th>Online</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {authors.map((a) => (
            <tr key={a.participant}>
              <td>{names[a.participant]}</td>
              <td className="mono">{a.latestId ? `#${a.latestSeq} ${a.latestId.slice(0, 10)}…` : '—'}</td>
              <td>{a.lag}</td>
              <td>{onlineLabel(a.participant)}</td>
              <td className={a.equivocator ? 'down' : ''}>{a.equivocator ? 'equivocated' : 'ok'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Presence is what peers announce about themselves: shown, never used for state.</p>
      <p className="muted">
        Blocks accepted {ingress.accepted} · duplicates {ingress.duplicate} · waiting for ancestors{' '}
        {ingress.buffered} · refused{' '}
        {Object.entries(ingress.rejected)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'}
      </p>
      {equivocations.map((e) => (
        <p key={`${e.a.id}${e.b.id}`} className="down">
          {names[e.author]} signed two blocks at seq {e.seq}: {e.a.id.slice(0, 10)}… and {e.b.id.slice(0, 10)}
          …
        </p>
      ))}
    </div>
  )
}

export function Explorer() {
  const { names } = useTrading()
  const blocks = useSnapshot((s) => s.blocks)
  return (
    <table className="grid" aria-label="Op explorer">
      <thead>
        <tr>
          <th>#</th>
          <th>Block</th>
          <th>Author</th>
          <th>Status</th>
          <th>Ops</th>
        </tr>
      </thead>
      <tbody>
        {blocks.map((b) => (
          <tr key={b.id}>
            <td>{b.position}</td>
            <td className="mono">{b.id.slice(0, 12)}…</td>
            <td>
              {names[b.author]} #{b.seq}
            </td>
            <td className={b.final ? 'up' : 'pending'}>{b.final ? 'final' : 'pending'}</td>
            <td>
              {b.ops.map((o) => (
                <span key={o.index} className={`op ${o.result === 0 ? '' : 'rejected'}`} title={o.reason}>
                  {o.op.tag === OpTag.Checkpoint ? `checkpoint v${o.op.version}` : o.kind}
                  {o.reason ? ` ✗ ${REJECT_NAMES[o.result]}` : ''}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
