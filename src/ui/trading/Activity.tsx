import { OpTag, Side } from '../../core/ops.ts'
import type { ActivityEntry } from '../../store/activity.ts'
import { formatPrice, formatQty, formatUnits, orderLabel } from '../format.ts'
import { ammOpText } from '../pool/poolFormat.ts'
import { useSnapshot, useTrading } from './context.ts'
import { clockTime } from './useLiveness.ts'

/**
 * This participant's fills, partial fills, cancels and rejections (with the reason), newest first, each marked
 * pending (its block can still move in the order, and the outcome with it) or final; and ops of its own that were
 * dropped because they reached the others too late to ever be final (a chain restart), marked dropped.
 */
export function Activity() {
  const entries = useSnapshot((s) => s.activity)
  const text = useDescribe()
  return (
    <section className="panel activity" aria-label="Activity">
      <div className="panel-head">Activity</div>
      {entries.length === 0 ? (
        <p className="muted empty">No fills, cancels or rejections yet</p>
      ) : (
        <ul role="log" aria-label="Your activity">
          {entries.map((e) => (
            <li key={e.key} className={`activity-${e.kind}`} data-testid="activity-entry">
              <span className="muted">{e.time > 0n ? clockTime(Number(e.time)) : '—'}</span>{' '}
              <span
                className={
                  e.kind === 'reject' || e.kind === 'expired' ? 'down' : e.kind === 'cancel' ? 'muted' : 'up'
                }
              >
                {text(e)}
              </span>{' '}
              <span
                className={e.kind === 'expired' ? 'badge dropped' : e.final ? 'badge final' : 'badge pending'}
              >
                {e.kind === 'expired' ? 'dropped' : e.final ? 'final' : 'pending'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function useDescribe(): (e: ActivityEntry) => string {
  const { channel, tokens, names } = useTrading()
  const markets = channel.config.markets
  return (e: ActivityEntry) => {
    if ('order' in e) {
      const m = markets[e.market]!
      const base = tokens[m.base]!
      const quote = tokens[m.quote]!
      const verb = e.side === Side.Buy ? 'Bought' : 'Sold'
      const head = `${e.kind === 'fill' ? 'Filled' : 'Partial fill'}: ${verb.toLowerCase()} ${formatQty(e.qty, m, base)} ${base.symbol} at ${formatPrice(e.price, m, base, quote)} ${quote.symbol}`
      const progress =
        e.filled !== undefined && e.size !== undefined
          ? ` (${formatQty(e.filled, m, base)} of ${formatQty(e.size, m, base)} filled)`
          : ''
      return `${head}${progress} · ${e.role} · fee ${formatUnits(e.fee, quote.decimals, 6)} ${quote.symbol} · order ${orderLabel(e.order, names)}`
    }
    const op = e.op
    let what: string
    if (op.tag === OpTag.Place || op.tag === OpTag.PerpPlace) {
      const m = markets[op.market]
      const base = m && tokens[m.base]
      const quote = m && tokens[m.quote]
      what =
        m && base && quote
          ? `${op.side === Side.Buy ? 'buy' : 'sell'} ${formatQty(op.qty, m, base)} ${base.symbol} at ${formatPrice(op.price, m, base, quote)}`
          : 'order'
    } else if (op.tag === OpTag.Cancel)
      what = `cancel of order ${orderLabel(`${e.key.split(':')[0]}:${op.orderSeq}:${op.orderIndex}`, names)}`
    else if (op.tag === OpTag.Transfer || op.tag === OpTag.Withdraw) {
      const t = tokens[op.token]
      what = `${op.tag === OpTag.Transfer ? 'transfer' : 'withdrawal'} of ${t ? `${formatUnits(op.amount, t.decimals, 6)} ${t.symbol}` : op.amount}`
    } else if (op.tag >= OpTag.AmmAdd && op.tag <= OpTag.AmmShareTransfer && 'market' in op) {
      const m = markets[op.market]
      what = ammOpText(op, m && { base: tokens[m.base]!, quote: tokens[m.quote]! })
    } else what = 'operation'
    if (e.kind === 'cancel') return `Cancelled: ${what.replace(/^cancel of /, '')}`
    if (e.kind === 'expired')
      return `Dropped ${what}: sealed while this device was cut off, it reached the others too late to become final — never applied, submit it again`
    return `Rejected ${what}: ${e.reason}`
  }
}
