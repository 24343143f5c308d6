import { type Op, OpTag, type Side } from '../core/ops.ts'
import { REJECT_NAMES } from '../core/reasons.ts'
import { type Node, type Replica, UNCOMMITTED } from '../core/replica.ts'
import type { Trade } from '../core/state.ts'

/**
 * This participant's activity, newest first: its fills (full or partial, as maker or taker), its cancels, and
 * every op of its that the fold rejected with the reason. Each entry says whether it is final (its block is in the
 * final prefix of the order) or still pending (its position can change, and with it the outcome).
 */
export type ActivityEntry =
  | {
      kind: 'fill' | 'partial'
      key: string
      time: bigint
      final: boolean
      market: number
      side: Side
      /** maker price (ticks) and lots of this execution */
      price: bigint
      qty: bigint
      fee: bigint
      role: 'maker' | 'taker'
      order: string
      /** lots of the order filled so far and its size, when the order was placed within the window read */
      filled: bigint | undefined
      size: bigint | undefined
    }
  | {
      /** expired: an op of a block this device sealed that reached the others too late to ever be final (dropped) */
      kind: 'cancel' | 'reject' | 'expired'
      key: string
      time: bigint
      final: boolean
      op: Op
      /** the rejection's reason (REJECT_NAMES), undefined for a cancel that applied */
      reason: string | undefined
    }

/**
 * When a block's ops happened, as the screens show it: the time its author sealed it (its signed claim), never
 * earlier than the channel clock at its commit once final — so every replica shows a final block alike. The channel
 * clock alone (what the fold reads) is the median of the previous round's times: in a quiet channel, the previous
 * activity's time (a cancel showed the trade before it). Display only.
 */
function shownTimeOf(replica: Replica, node: Node, final: boolean): bigint {
  if (!final) return node.block.time
  const clock = replica.timeOf(node)
  return node.block.time > clock ? node.block.time : clock
}

/** Reads at most the last `window` blocks of the order and returns up to `limit` entries. */
export function activityOf(replica: Replica, me: number, limit = 50, window = 500): ActivityEntry[] {
  const order = replica.order
  const from = Math.max(0, order.length - window)
  const position = new Map<string, number>()
  const sizes = new Map<string, { side: Side; qty: bigint }>()
  const entries: { at: number; seq: number; e: ActivityEntry }[] = []
  const finalAt = (i: number) => i < replica.finalCount
  const shownTime = (node: Node) => shownTimeOf(replica, node, node.commitIndex !== UNCOMMITTED)
  for (let i = from; i < order.length; i++) {
    const node: Node = order[i]!
    position.set(node.hex, i)
    if (node.author !== me) continue
    node.block.ops.forEach((op, index) => {
      const key = `${me}:${node.seq}:${index}`
      const result = node.results[index]!
      if (op.tag === OpTag.Place || op.tag === OpTag.PerpPlace) sizes.set(key, { side: op.side, qty: op.qty })
      if (result !== 0 && op.tag !== OpTag.Checkpoint && op.tag !== OpTag.CheckpointRequest)
        entries.push({
          at: i,
          seq: index,
          e: {
            kind: 'reject',
            key,
            time: shownTime(node),
            final: finalAt(i),
            op,
            reason: REJECT_NAMES[result] ?? `code ${result}`,
          },
        })
      else if (result === 0 && op.tag === OpTag.Cancel)
        entries.push({
          at: i,
          seq: index,
          e: { kind: 'cancel', key, time: shownTime(node), final: finalAt(i), op, reason: undefined },
        })
    })
  }
  // blocks sealed while cut off that expired (CONTEXT.md of src/core, "Chain restart"): their ops are dropped, and
  // said so — they were never final and may be submitted again
  for (const x of replica.expiredOwn()) {
    const at = x.position - replica.prunedCount
    if (at < from) continue
    x.ops.forEach((op, index) => {
      if (op.tag === OpTag.Checkpoint || op.tag === OpTag.CheckpointRequest || op.tag === OpTag.RotateKey)
        return
      const e = {
        kind: 'expired',
        key: `${me}:${x.seq}:${index}`,
        time: x.time,
        final: true,
        op,
        reason: undefined,
      }
      entries.push({ at, seq: index, e: e as ActivityEntry })
    })
  }
  const filled = new Map<string, bigint>()
  const trades = replica.state.trades
  for (let t = 0; t < trades.length; t++) {
    const tr = trades[t]!
    const at = position.get(tr.block)
    if (at === undefined) continue
    const mine = tr.taker === me ? 'taker' : tr.maker === me ? 'maker' : undefined
    if (!mine) continue
    const orderKey = mine === 'taker' ? tr.takerOrder : tr.makerOrder
    const placed = sizes.get(orderKey)
    const sofar = (filled.get(orderKey) ?? 0n) + tr.qty
    filled.set(orderKey, sofar)
    const side = mine === 'taker' ? tr.takerSide : ((1 - tr.takerSide) as Side)
    entries.push({
      at,
      seq: 1000 + t,
      e: {
        kind: placed && sofar >= placed.qty ? 'fill' : placed ? 'partial' : 'fill',
        key: `trade:${t}`,
        time: shownTime(order[at]!),
        final: finalAt(at),
        market: tr.market,
        side,
        price: tr.price,
        qty: tr.qty,
        fee: mine === 'taker' ? tr.takerFee : tr.makerFee,
        role: mine,
        order: orderKey,
        filled: placed ? sofar : undefined,
        size: placed?.qty,
      },
    })
  }
  entries.sort((a, b) => b.at - a.at || b.seq - a.seq)
  return entries.slice(0, limit).map((x) => x.e)
}

/** A trade as the viewer reads it: when, final or not, and for its own side the fee and its order's average price. */
export type TradeRow = {
  trade: Trade
  /** channel clock of the trade's block (ms); the current clock while its block is not sealed yet */
  time: bigint
  final: boolean
  /** the viewer's side, fee and order when it took part; undefined otherwise */
  mine:
    | {
        side: Side
        role: 'maker' | 'taker'
        fee: bigint
        order: string
        /** Σ price·qty (ticks·lots) and Σ qty (lots) of the order's fills up to and including this one */
        orderNotional: bigint
        orderQty: bigint
      }
    | undefined
}

/** The latest `limit` trades, newest first, with time and finality, and the viewer's side, fee and average. */
export function tradeRowsOf(replica: Replica, me: number, limit = 100): TradeRow[] {
  const trades = replica.state.trades
  const sums = new Map<string, { n: bigint; q: bigint }>()
  const mineAt: TradeRow['mine'][] = []
  const start = Math.max(0, trades.length - limit)
  for (let t = 0; t < trades.length; t++) {
    const tr = trades[t]!
    const role = tr.taker === me ? 'taker' : tr.maker === me ? 'maker' : undefined
    if (!role) continue
    const order = role === 'taker' ? tr.takerOrder : tr.makerOrder
    const s = sums.get(order) ?? { n: 0n, q: 0n }
    s.n += tr.price * tr.qty
    s.q += tr.qty
    sums.set(order, s)
    if (t >= start)
      mineAt[t - start] = {
        side: role === 'taker' ? tr.takerSide : ((1 - tr.takerSide) as Side),
        role,
        fee: role === 'taker' ? tr.takerFee : tr.makerFee,
        order,
        orderNotional: s.n,
        orderQty: s.q,
      }
  }
  // the blocks of the listed trades, looked up from the newest block back
  const wanted = new Set<string>()
  for (let t = start; t < trades.length; t++) if (trades[t]!.block !== '') wanted.add(trades[t]!.block)
  const found = new Map<string, { time: bigint; final: boolean }>()
  for (let i = replica.order.length - 1; i >= 0 && found.size < wanted.size; i--) {
    const node = replica.order[i]!
    if (wanted.has(node.hex))
      found.set(node.hex, {
        time: shownTimeOf(replica, node, i < replica.finalCount),
        final: i < replica.finalCount,
      })
  }
  const rows: TradeRow[] = []
  for (let t = trades.length - 1; t >= start; t--) {
    const trade = trades[t]!
    const at = found.get(trade.block)
    rows.push({ trade, time: at?.time ?? replica.clock, final: at?.final ?? false, mine: mineAt[t - start] })
  }
  return rows
}
