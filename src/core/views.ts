import type { Hex } from './bytes.ts'
import { type Op, OpTag, type Side } from './ops.ts'
import { REJECT_NAMES } from './reasons.ts'
import type { Node, Replica } from './replica.ts'
import type { ChannelState, Trade } from './state.ts'

/**
 * Read-only views of a replica for the UI: plain immutable data, computed here so components only render.
 */

export type DepthLevel = { price: bigint; qty: bigint; orders: number; own: bigint }
export type BookDepth = { bids: DepthLevel[]; asks: DepthLevel[] }

/** Aggregated price levels, best first, up to `levels` per side; `own` is the viewer's quantity at the level. */
export function bookDepth(state: ChannelState, market: number, levels: number, viewer?: number): BookDepth {
  const book = state.books[market]
  if (!book) return { bids: [], asks: [] }
  const side = (ls: typeof book.bids) =>
    ls.slice(0, levels).map((l) => {
      let qty = 0n
      let own = 0n
      let orders = 0
      for (let i = l.head; i < l.orders.length; i++) {
        const o = l.orders[i]!
        qty += o.remaining
        orders++
        if (o.owner === viewer) own += o.remaining
      }
      return { price: l.price, qty, orders, own }
    })
  return { bids: side(book.bids), asks: side(book.asks) }
}

export type BalanceRow = {
  token: number
  available: bigint
  locked: bigint
  reserved: bigint
  pendingWithdrawal: bigint
  /**
   * what the perps margin account, the lending pool (supplies less debt) and AMM pool shares add to the holdings,
   * at their settlement value: total − the ledger's four columns (negative when a debt outweighs them)
   */
  inModules: bigint
  total: bigint
}

export function balancesOf(state: ChannelState, participant: number): BalanceRow[] {
  const rows: BalanceRow[] = []
  for (let t = 0; t < state.T; t++) {
    const i = participant * state.T + t
    const total = state.holdings(participant, t)
    const ledger = state.avail[i]! + state.locked[i]! + state.reserved[i]! + state.pendingWithdrawal[i]!
    rows.push({
      token: t,
      available: state.avail[i]!,
      locked: state.locked[i]!,
      reserved: state.reserved[i]!,
      pendingWithdrawal: state.pendingWithdrawal[i]!,
      inModules: total - ledger,
      total,
    })
  }
  return rows
}

export type OpenOrderRow = {
  key: string
  market: number
  side: Side
  price: bigint
  remaining: bigint
  seq: bigint
  index: number
}

/** The participant's resting orders, newest first. */
export function openOrdersOf(state: ChannelState, participant: number): OpenOrderRow[] {
  const rows: (OpenOrderRow & { placedAt: number })[] = []
  state.books.forEach((book, market) => {
    for (const o of book.orders()) {
      if (o.owner !== participant) continue
      const [, seq, index] = o.key.split(':')
      rows.push({
        key: o.key,
        market,
        side: o.side,
        price: o.price,
        remaining: o.remaining,
        seq: BigInt(seq!),
        index: Number(index),
        placedAt: o.placedAt,
      })
    }
  })
  return rows.sort((a, b) => b.placedAt - a.placedAt).map(({ placedAt: _, ...r }) => r)
}

/** The latest `limit` executions, newest first. */
export function recentTrades(state: ChannelState, limit: number): Trade[] {
  return state.trades.slice(-limit).reverse()
}

export type OpRow = {
  index: number
  op: Op
  kind: string
  result: number
  reason: string | undefined
}

export type BlockRow = {
  id: Hex
  author: number
  seq: number
  round: number
  position: number
  final: boolean
  ops: OpRow[]
}

const OP_KIND: Record<number, string> = {
  [OpTag.Deposit]: 'deposit',
  [OpTag.Withdraw]: 'withdraw',
  [OpTag.Transfer]: 'transfer',
  [OpTag.Lock]: 'lock',
  [OpTag.Unlock]: 'unlock',
  [OpTag.RotateKey]: 'session key rotation',
  [OpTag.StakeAttest]: 'bond attestation',
  [OpTag.Place]: 'place',
  [OpTag.Cancel]: 'cancel',
  [OpTag.Checkpoint]: 'checkpoint',
  [OpTag.CheckpointRequest]: 'checkpoint request',
  [OpTag.ForcedAttest]: 'forced op attestation',
  [OpTag.OraclePrice]: 'oracle price',
  [OpTag.PerpPlace]: 'perp order',
  [OpTag.MarginDeposit]: 'margin deposit',
  [OpTag.MarginWithdraw]: 'margin withdrawal',
  [OpTag.Liquidate]: 'liquidation',
  [OpTag.LendSupply]: 'lending supply',
  [OpTag.LendWithdraw]: 'lending withdrawal',
  [OpTag.LendBorrow]: 'borrow',
  [OpTag.LendRepay]: 'repay',
  [OpTag.LendLiquidate]: 'loan liquidation',
  [OpTag.AmmAdd]: 'add liquidity',
  [OpTag.AmmRemove]: 'remove liquidity',
  [OpTag.AmmSwap]: 'swap',
  [OpTag.AmmVote]: 'fee vote',
  [OpTag.AmmShareTransfer]: 'pool share transfer',
}

function blockRow(replica: Replica, node: Node, position: number): BlockRow {
  return {
    id: node.hex,
    author: node.author,
    seq: node.seq,
    round: node.round,
    position,
    final: position < replica.finalCount,
    ops: node.block.ops.map((op, index) => {
      const result = node.results[index]!
      return {
        index,
        op,
        kind: OP_KIND[op.tag]!,
        result,
        reason: result === 0 ? undefined : REJECT_NAMES[result],
      }
    }),
  }
}

/** The last `limit` blocks in canonical order (newest first), each with its ops and their status. */
export function recentBlocks(replica: Replica, limit: number): BlockRow[] {
  const out: BlockRow[] = []
  for (let i = replica.order.length - 1; i >= 0 && out.length < limit; i--)
    out.push(blockRow(replica, replica.order[i]!, i))
  return out
}

export type AuthorRow = {
  participant: number
  latestSeq: number
  latestId: Hex | undefined
  latestRound: number
  /** rounds between this author's latest block and the DAG's highest round */
  lag: number
  equivocator: boolean
}

/** Per participant: its latest block and how many rounds behind the DAG's highest round it is. */
export function authorsView(replica: Replica): AuthorRow[] {
  const eq = new Set(replica.equivocators())
  const top = replica.dag.maxRound
  return replica.latest.map((l, participant) => ({
    participant,
    latestSeq: l?.seq ?? 0,
    latestRound: l?.round ?? 0,
    latestId: l?.hex,
    lag: top - (l?.round ?? 0),
    equivocator: eq.has(participant),
  }))
}
