import { createBlock } from '../src/core/block.ts'
import { fromHex } from '../src/core/bytes.ts'
import { openChannel } from '../src/core/channel.ts'
import { slotAuthor } from '../src/core/leaders.ts'
import type { LendingParams } from '../src/core/lending/params.ts'
import { type AmmAddOp, type Op, OpTag, OrderKind, Side, TimeInForce } from '../src/core/ops.ts'
import { PERP_MARKET, PERP_PARAMS } from '../src/core/perps/harness.ts'
import { SIM_LENDING_PARAMS } from '../src/core/sim/lendingOps.ts'
import { Rng } from '../src/core/sim/rng.ts'
import { ChannelState } from '../src/core/state.ts'
import { makeTestChannel, TEST_MARKET, type TestChannel, testDeposits } from '../src/core/testing.ts'

/**
 * The op module a stream exercises: `spot` (transfers and the spot book), `perps` (margin and the perp book),
 * `lending` (supply, borrow, repay, withdraw, liquidation attempts, beside transfers and the spot book), `amm` (the
 * spot market's pool: liquidity, swaps, fee votes, beside transfers and the spot book), or `all` (one channel with
 * every module, each op drawn from one of the four uniformly).
 */
export type BenchMix = 'spot' | 'perps' | 'lending' | 'amm' | 'all'
export const BENCH_MIXES: readonly BenchMix[] = ['spot', 'perps', 'lending', 'amm', 'all']

/** The bench's lending pool: the simulator's (token 1 the quote, token 0 priced by market 0), interest far apart. */
const BENCH_LENDING: LendingParams = { ...SIM_LENDING_PARAMS, oracle: 0, accrualIntervalMs: 1n << 60n }

export const DEPOSIT = 10n ** 15n
/** empty rounds after the last op: leader r + 1 commits round r's blocks once rounds r + 2 and r + 3 exist */
export const TAIL_ROUNDS = 3
/** channel clock step per round (ms) */
const ROUND_MS = 50

export type Stream = {
  tc: TestChannel
  blocks: Uint8Array[]
  ops: Op[][]
  authors: number[]
  /** rounds in the stream, the empty tail included */
  rounds: number
}

/**
 * Signs round-based DAG blocks for a test channel: each author one block per round, prev = its own previous
 * block, parents = the previous round's blocks of the authors given (their count with prev must reach q).
 */
export class RoundWriter {
  /** per author: id and seq of its latest block */
  private readonly own: ({ id: Uint8Array; seq: bigint } | undefined)[]
  /** author → its block of the last completed round */
  private last = new Map<number, Uint8Array>()
  private current = new Map<number, Uint8Array>()
  round = 1

  constructor(readonly tc: TestChannel) {
    this.own = tc.members.map(() => undefined)
  }

  /** Records a block made elsewhere (e.g. sealed by a replica) as `author`'s block of the current round. */
  note(author: number, id: Uint8Array, seq: bigint): void {
    this.own[author] = { id, seq }
    this.current.set(author, id)
  }

  /** `author`'s block of the current round, referencing every block of the previous round. */
  block(author: number, ops: Op[]): { id: Uint8Array; bytes: Uint8Array } {
    const prev = this.own[author]
    const parents: Uint8Array[] = []
    for (const [a, id] of this.last) if (a !== author) parents.push(id)
    const m = this.tc.members[author]!
    const seq = (prev?.seq ?? 0n) + 1n
    const { id, bytes } = createBlock({
      channelId: this.tc.channel.channelId,
      author: fromHex(m.address, 20),
      seq,
      round: BigInt(this.round),
      time: BigInt(this.round * ROUND_MS),
      prev: prev?.id ?? this.tc.channel.genesis,
      parents,
      ops,
      sessionKey: m.sessionKey,
      domainSeparator: this.tc.channel.domainSeparator,
    })
    this.note(author, id, seq)
    return { id, bytes }
  }

  /** Closes the current round: its blocks become the next round's parents. */
  next(): void {
    if (this.round > 1 && this.current.size < this.tc.channel.config.threshold)
      throw new Error(`round ${this.round} has ${this.current.size} authors, under the quorum`)
    this.last = this.current
    this.current = new Map()
    this.round++
  }
}

/** The bench's test channel: one spot market, and for `perps` a perp market (participant 0 the oracle). */
export function benchChannel(P: number, mix: BenchMix): TestChannel {
  const tc = makeTestChannel({
    participants: P,
    label: `bench-${P}`,
    maxOpenOrders: 100_000,
    // funding epochs far apart: the shadow (which cannot know the replica's channel clock) sees what it will
    ...(mix === 'perps' || mix === 'all'
      ? {
          markets: [TEST_MARKET, PERP_MARKET],
          maxLeverage: 10,
          perps: { ...PERP_PARAMS, oracle: 0, openLiquidation: true, fundingIntervalMs: 1n << 60n },
        }
      : {}),
    ...(mix === 'amm' || mix === 'all' ? { amm: { defaultFeeBps: 30n } } : {}),
  })
  if (mix !== 'lending' && mix !== 'all') return tc
  // the lending params are not part of the channelId: the members' authorisations stay valid
  const { config } = tc.channel
  return { ...tc, channel: openChannel({ ...config, params: { ...config.params, lending: BENCH_LENDING } }) }
}

/** lending: every author supplied both tokens in its first block; borrows within it, repays, supplies, withdraws */
function lendOp(rng: Rng, P: number, x: number): Op {
  const token = rng.int(0, 2)
  const amount = BigInt(rng.int(1_000, 1_000_000))
  if (x < 0.32) return { tag: OpTag.LendBorrow, token, amount }
  if (x < 0.44) return { tag: OpTag.LendRepay, token, amount }
  if (x < 0.52) return { tag: OpTag.LendSupply, token, amount }
  if (x < 0.58) return { tag: OpTag.LendWithdraw, token, amount }
  // a liquidation attempt: refused (LoanHealthy) after the health check, which is what it costs
  return {
    tag: OpTag.LendLiquidate,
    trader: rng.int(0, P),
    debtToken: token,
    collateralToken: 1 - token,
    amount,
  }
}

const TIERS = [1, 5, 30, 100]
const ammAdd = (a: number): AmmAddOp => ({
  tag: OpTag.AmmAdd,
  market: 0,
  baseMax: DEPOSIT / 100n,
  quoteMax: DEPOSIT / 100n,
  minShares: 0n,
  voteBps: TIERS[a % TIERS.length]!,
})
/** amm: mostly swaps both ways (no deadline: the shadow cannot know the clock), some votes and small adds/removals */
function ammOp(rng: Rng, a: number, x: number): Op {
  if (x < 0.52)
    return {
      tag: OpTag.AmmSwap,
      market: 0,
      side: rng.next() < 0.5 ? Side.Buy : Side.Sell,
      amountIn: BigInt(rng.int(1_000, 1_000_000)),
      minOut: 0n,
      deadline: (1n << 64n) - 1n,
    }
  if (x < 0.56) return { tag: OpTag.AmmVote, market: 0, voteBps: TIERS[rng.int(0, TIERS.length)]! }
  if (x < 0.58) return { ...ammAdd(a), baseMax: 1_000_000n, quoteMax: 1_000_000n }
  return { tag: OpTag.AmmRemove, market: 0, shares: BigInt(rng.int(1, 100_000)), minBase: 0n, minQuote: 0n }
}

/**
 * A valid round-based DAG carrying `total` ops with a realistic mix, generated against a shadow state so the mix
 * is mostly valid, as a real trading session would be. Every author writes one block per round (round r's leader
 * first, then the rotation: the slot order the commit rule finalizes them in, so the shadow sees the final order); each
 * block references all blocks of the previous round, so every round has all n authors and every leader commits.
 * TAIL_ROUNDS empty rounds follow, so that every op is final at the end of the stream.
 */
export function makeStream(
  P: number,
  total: number,
  seed: number,
  BLOCK: number,
  mix: BenchMix = 'spot',
): Stream & { shadow: ChannelState; writer: RoundWriter } {
  const all = mix === 'all'
  const withPerps = mix === 'perps' || all
  const withAmm = mix === 'amm' || all
  const withLending = mix === 'lending' || all
  const tc = benchChannel(P, mix)
  const shadow = new ChannelState(tc.channel)
  shadow.creditGenesis(testDeposits(P, 2, DEPOSIT))
  const rng = new Rng(seed)
  const writer = new RoundWriter(tc)
  const open: { seq: bigint; index: number }[][] = Array.from({ length: P }, () => [])
  const blocks: Uint8Array[] = []
  const allOps: Op[][] = []
  const authors: number[] = []
  let made = 0
  let tail = 0
  while (tail < TAIL_ROUNDS) {
    const round = writer.round
    // slot order (leaders.ts): the round's primary leader first, then the rotation
    const order = Array.from({ length: P }, (_, k) => slotAuthor(round, k, P))
    if (made >= total) tail++
    for (const a of order) {
      const seq = BigInt(round) // one block per round from round 1 on: seq = round
      const ops: Op[] = []
      const n = Math.min(BLOCK, total - made)
      // perps: every author's first block moves margin in; the oracle's blocks start with an index price
      if (withPerps && n > 0 && round === 1) ops.push({ tag: OpTag.MarginDeposit, amount: DEPOSIT / 2n })
      // amm: every author's first block adds liquidity with its fee vote
      if (withAmm && n > 0 && round === 1) ops.push(ammAdd(a))
      // lending: every author's first block supplies both tokens; the oracle's blocks price token 0 (market 0)
      if (withLending && n > 0 && round === 1)
        for (const token of [0, 1]) ops.push({ tag: OpTag.LendSupply, token, amount: DEPOSIT / 10n })
      if (withPerps && n > 0 && a === 0)
        ops.push({ tag: OpTag.OraclePrice, market: 1, price: BigInt(rng.int(98, 103)) })
      if (withLending && n > 0 && a === 0)
        ops.push({ tag: OpTag.OraclePrice, market: 0, price: BigInt(rng.int(98, 103)) })
      for (const [index, op] of ops.entries())
        shadow.apply(op, { author: a, seq, index, height: round, block: '', time: 0n })
      while (ops.length < n) {
        // `all`: each op from one module, uniformly (other mixes draw nothing here, so their streams stay as they were)
        const k = all ? rng.int(0, 4) : -1
        const perps = mix === 'perps' || k === 1
        const lending = mix === 'lending' || k === 2
        const amm = mix === 'amm' || k === 3
        const market = perps ? 1 : 0
        const book = shadow.books[market]!
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
        } else if (amm && x < 0.6) op = ammOp(rng, a, x)
        else if (lending && x < 0.6) op = lendOp(rng, P, x)
        else if (perps && x < 0.22) {
          // a liquidation attempt: refused (NotLiquidatable) after the health check, which is what it costs
          op = { tag: OpTag.Liquidate, trader: rng.int(0, P), market }
        } else if (x < 0.65 || (x < 0.8 && ownBest))
          op = perps
            ? {
                tag: OpTag.PerpPlace,
                market,
                side,
                kind: OrderKind.Limit,
                tif: TimeInForce.GTC,
                reduceOnly: false,
                price,
                qty,
              }
            : { tag: OpTag.Place, market: 0, side, kind: OrderKind.Limit, tif: TimeInForce.GTC, price, qty }
        else if (x < 0.8)
          op = {
            tag: perps ? OpTag.PerpPlace : OpTag.Place,
            market,
            side,
            kind: OrderKind.Market,
            tif: TimeInForce.IOC,
            price: side === Side.Buy ? 110n : 90n,
            qty,
            ...(perps ? { reduceOnly: false } : {}),
          } as Op
        else {
          // cancel one of our orders that still rests (fills remove them without telling us)
          const list = open[a]!
          let found: { seq: bigint; index: number } | undefined
          while (list.length > 0 && !found) {
            const k = rng.int(0, list.length)
            const o = list[k]!
            list[k] = list[list.length - 1]!
            list.pop()
            if (shadow.books.some((b) => b.byKey.has(`${a}:${o.seq}:${o.index}`))) found = o
          }
          if (!found) continue
          op = { tag: OpTag.Cancel, orderSeq: found.seq, orderIndex: found.index }
        }
        const index = ops.length
        const r = shadow.apply(op, { author: a, seq, index, height: round, block: '', time: 0n })
        if (r === 0 && (op.tag === OpTag.Place || op.tag === OpTag.PerpPlace) && op.kind === OrderKind.Limit)
          open[a]!.push({ seq, index })
        ops.push(op)
      }
      blocks.push(writer.block(a, ops).bytes)
      allOps.push(ops)
      authors.push(a)
      made += ops.length
    }
    writer.next()
  }
  return { tc, blocks, ops: allOps, authors, rounds: writer.round - 1, shadow, writer }
}
