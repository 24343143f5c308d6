import { createBlock } from '../src/core/block.ts'
import { fromHex } from '../src/core/bytes.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../src/core/ops.ts'
import { Rng } from '../src/core/sim/rng.ts'
import { ChannelState } from '../src/core/state.ts'
import { makeTestChannel, type TestChannel, testDeposits } from '../src/core/testing.ts'

export const DEPOSIT = 10n ** 15n

export type Stream = { tc: TestChannel; blocks: Uint8Array[]; ops: Op[][]; authors: number[] }

/** Generates ops against a shadow state so the mix is mostly valid, as a real trading session would be. */
export function makeStream(
  P: number,
  total: number,
  seed: number,
  BLOCK: number,
): Stream & { shadow: ChannelState } {
  const tc = makeTestChannel({ participants: P, label: `bench-${P}`, maxOpenOrders: 100_000 })
  const deposits = testDeposits(P, 2, DEPOSIT)
  const shadow = new ChannelState(tc.channel, new Map(deposits.map((d) => [d.index, d])))
  const rng = new Rng(seed)
  const seqs = new Array<number>(P).fill(0)
  const prevs: Uint8Array[] = Array.from({ length: P }, () => new Uint8Array(32))
  const recent: Uint8Array[] = []
  const open: { seq: bigint; index: number }[][] = Array.from({ length: P }, () => [])
  const blocks: Uint8Array[] = []
  const allOps: Op[][] = []
  const authors: number[] = []
  let made = 0
  let first = true
  while (made < total) {
    for (let a = 0; a < P && made < total; a++) {
      const seq = BigInt(seqs[a]! + 1)
      const ops: Op[] = []
      if (first)
        for (const depositIndex of [BigInt(2 * a), BigInt(2 * a + 1)]) {
          const op: Op = { tag: OpTag.Deposit, depositIndex }
          shadow.apply(op, { author: a, seq, index: ops.length, height: 0, block: '' })
          ops.push(op)
        }
      const n = Math.min(BLOCK, total - made)
      const book = shadow.books[0]!
      while (ops.length < n) {
        const x = rng.next()
        const side = rng.next() < 0.5 ? Side.Buy : Side.Sell
        const qty = BigInt(rng.int(1, 20))
        // a trader does not cross its own quotes: if the best opposite order is ours, quote just inside it
        const best = book.bestOpposite(side)
        const ownBest = best !== undefined && best.orders[best.head]!.owner === a
        let price = BigInt(rng.int(95, 106))
        if (ownBest && (side === Side.Buy ? price >= best.price : price <= best.price))
          price = side === Side.Buy ? best.price - 1n : best.price + 1n
        let op: Op
        if (x < 0.2) {
          let to = rng.int(0, P)
          if (to === a) to = (to + 1) % P
          op = { tag: OpTag.Transfer, to, token: rng.int(0, 2), amount: BigInt(rng.int(1, 10_000)) }
        } else if (x < 0.65 || (x < 0.8 && ownBest))
          op = { tag: OpTag.Place, market: 0, side, kind: OrderKind.Limit, tif: TimeInForce.GTC, price, qty }
        else if (x < 0.8)
          op = {
            tag: OpTag.Place,
            market: 0,
            side,
            kind: OrderKind.Market,
            tif: TimeInForce.IOC,
            price: side === Side.Buy ? 110n : 90n,
            qty,
          }
        else {
          // cancel one of our orders that still rests (fills remove them without telling us)
          const list = open[a]!
          let found: { seq: bigint; index: number } | undefined
          while (list.length > 0 && !found) {
            const k = rng.int(0, list.length)
            const o = list[k]!
            list[k] = list[list.length - 1]!
            list.pop()
            if (book.byKey.has(`${a}:${o.seq}:${o.index}`)) found = o
          }
          if (!found) continue
          op = { tag: OpTag.Cancel, orderSeq: found.seq, orderIndex: found.index }
        }
        const index = ops.length
        const r = shadow.apply(op, { author: a, seq, index, height: 0, block: '' })
        if (r === 0 && op.tag === OpTag.Place && op.kind === OrderKind.Limit) open[a]!.push({ seq, index })
        ops.push(op)
      }
      // parents: the latest blocks of the (up to 8) authors who wrote just before — what a peer has seen
      const parents = recent.slice(-8)
      const { bytes, id } = createBlock({
        channelId: tc.channel.channelId,
        author: fromHex(tc.members[a]!.address),
        seq,
        prev: prevs[a]!,
        parents: parents.filter((p) => p !== prevs[a]),
        ops,
        sessionKey: tc.members[a]!.sessionKey,
        domainSeparator: tc.channel.domainSeparator,
      })
      seqs[a] = Number(seq)
      prevs[a] = id
      recent.push(id)
      if (recent.length > 8) recent.shift()
      blocks.push(bytes)
      allOps.push(ops)
      authors.push(a)
      made += ops.length
    }
    first = false
  }
  return { tc, blocks, ops: allOps, authors, shadow }
}
