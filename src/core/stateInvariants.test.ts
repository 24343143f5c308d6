import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEPOSIT_WINDOW } from './attestations.ts'
import { toHex } from './bytes.ts'
import { type Channel, type Market, openChannel, Role } from './channel.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { stateRoot } from './roots.ts'
import { DEPOSIT, deposit, lock, transfer, unlock, withdraw } from './state.fixture.ts'
import { ChannelState, type DepositRecord } from './state.ts'
import { makeTestChannel, testDeposits } from './testing.ts'
import { U128_MAX } from './u128.ts'

const BPS = 10_000n

const P = 4 // participant 3 is an Observer
const MARKETS: Market[] = [
  { base: 0, quote: 1, tickSize: 1n, lotSize: 1000n },
  { base: 1, quote: 0, tickSize: 3n, lotSize: 7n },
]

type Step =
  | { kind: 'op'; author: number; op: Op }
  /** attest chain record `index` as stored (honest) or with made-up content */
  | { kind: 'attest'; author: number; index: number; fake: DepositRecord | null }
  /** cancel or unlock whatever exists at position `pick` (possibly someone else's) */
  | { kind: 'cancel'; author: number; pick: number }
  | { kind: 'unlock'; author: number; pick: number }

// the Observer (3) acts less often: its trades and transfers are all refused
const author = fc.constantFrom(0, 1, 2, 0, 1, 2, 3)
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 5000n }),
  fc.constantFrom(DEPOSIT / 2n, 1n << 125n, 1n << 126n, U128_MAX),
)
const token = fc.constantFrom(0, 1, 0, 1, 0, 1, 2)
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('attest' as const),
      author,
      index: fc.integer({ min: 0, max: 12 }),
      fake: fc.option(
        fc.record({
          index: fc.constant(0n),
          participant: fc.constantFrom(0, 1, 2, 3, 7),
          token: fc.constantFrom(0, 1, 2),
          amount: fc.constantFrom(0n, 1n, 5000n, U128_MAX),
        }),
        { freq: 3 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.tuple(token, amount).map(([t, a]) => withdraw(t, a)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.tuple(fc.integer({ min: 0, max: P }), token, amount).map(([to, t, a]) => transfer(to, t, a)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.tuple(token, amount, fc.bigInt({ min: 0n, max: 20n })).map(([t, a, u]) => lock(t, a, u)),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('op' as const),
      author,
      op: fc.record({
        tag: fc.constant(OpTag.Place),
        market: fc.constantFrom(0, 0, 0, 0, 1, 2),
        side: fc.constantFrom(Side.Buy, Side.Sell),
        kind: fc.constantFrom(OrderKind.Limit, OrderKind.Limit, OrderKind.Market),
        tif: fc.constantFrom(TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.PostOnly),
        price: fc.oneof(
          { weight: 9, arbitrary: fc.bigInt({ min: 98n, max: 102n }) },
          { weight: 1, arbitrary: fc.constantFrom(0n, 1n << 40n) },
        ),
        qty: fc.oneof(
          { weight: 9, arbitrary: fc.bigInt({ min: 1n, max: 30n }) },
          { weight: 1, arbitrary: fc.constantFrom(0n, 1n << 40n) },
        ),
      }) as fc.Arbitrary<Op>,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), author, pick: fc.nat() }) },
  // a quorum attests the next record at once: funding keeps up with the other ops
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('attest' as const),
      author: fc.constant(-1),
      index: fc.constant(-1),
      fake: fc.constant(null),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unlock' as const), author, pick: fc.nat() }) },
)

const scenario = fc.record({
  amount: fc.constantFrom(DEPOSIT, DEPOSIT, 10n ** 15n, 1n << 126n, U128_MAX),
  fees: fc.constantFrom([0n, 0n], [2n, 5n], [1000n, 3n], [7n, 1000n]),
  steps: fc.array(step, { minLength: 20, maxLength: 60 }),
})

const channels = new Map<string, Channel>()
/** One channel per fee pair (signing is the slow part), shared across runs: the fold never mutates it. */
function channelWithFees(fees: readonly bigint[]): Channel {
  const key = fees.join('/')
  const cached = channels.get(key)
  if (cached) return cached
  const tc = makeTestChannel({
    participants: P,
    label: 'state-prop',
    roles: [Role.Trader, Role.MarketMaker, Role.Liquidator, Role.Observer],
    makerFeeBps: fees[0],
    takerFeeBps: fees[1],
    maxOpenOrders: 4,
  })
  const config = structuredClone(tc.channel.config)
  config.markets = MARKETS
  const channel = openChannel(config)
  channels.set(key, channel)
  return channel
}

const FAKE: DepositRecord = { index: 0n, participant: 0, token: 0, amount: 1n }

/**
 * The contract's deposit records and a model of what the fold must credit: a record once q distinct
 * participants attested the same content, in index order, skipping (but counting) records past a token's supply.
 */
class Chain {
  /** index → content key → attesters */
  private readonly seen = new Map<bigint, Map<string, Set<number>>>()
  credited = 0n
  readonly supply = [0n, 0n]
  constructor(
    readonly records: DepositRecord[],
    readonly q: number,
  ) {}

  /** Records an accepted attestation and advances the model's credited prefix. */
  observe(s: ChannelState, op: Op, author: number, r: Reject): void {
    if (op.tag !== OpTag.Deposit || r !== Reject.None) return
    const key = `${op.participant}/${op.token}/${op.amount}`
    const byContent = this.seen.get(op.depositIndex) ?? new Map<string, Set<number>>()
    this.seen.set(op.depositIndex, byContent)
    const set = byContent.get(key) ?? new Set<number>()
    byContent.set(key, set)
    check(!set.has(author), 'an attestation was accepted twice')
    set.add(author)
    for (;;) {
      const winner = [...(this.seen.get(this.credited)?.entries() ?? [])].find(([, v]) => v.size >= this.q)
      if (!winner) break
      const [participant, token, amount] = winner[0].split('/')
      const t = Number(token)
      check(
        Number(participant) < s.P && t < s.T && BigInt(amount!) > 0n,
        'an invalid record reached a quorum',
      )
      if (this.supply[t]! + BigInt(amount!) <= U128_MAX) this.supply[t]! += BigInt(amount!)
      this.credited++
    }
  }

  /** Participants 0 … q − 1 attest the next record as stored (those who already did are refused). */
  quorumNext(s: ChannelState): void {
    const rec = this.records[Number(s.depositCount)]
    if (!rec) return
    for (let a = 0; a < this.q; a++) {
      const op = deposit(rec)
      const before = toHex(stateRoot(s))
      const r = s.apply(op, { author: a, seq: 0n, index: 0, height: 0, block: 'attest', time: 0n })
      if (r !== Reject.None)
        check(toHex(stateRoot(s)) === before, `rejected attestation (${r}) changed the state`)
      this.observe(s, op, a, r)
    }
  }
}

function fixture(amount: bigint, fees: readonly bigint[]) {
  const channel = channelWithFees(fees)
  const records = [
    ...testDeposits(P, 2, amount),
    { index: 8n, participant: 1, token: 0, amount: 1n },
    { index: 9n, participant: 2, token: 1, amount: amount / 3n + 1n },
    { index: 10n, participant: 0, token: 1, amount: 5n },
  ]
  const state = new ChannelState(channel)
  const chain = new Chain(records, channel.config.threshold)
  // fund everyone up front (deposits that would overflow a token's supply credit nothing); steps add more
  for (let i = 0; i < P * 2; i++) chain.quorumNext(state)
  check(state.depositCount === BigInt(P * 2), 'funding')
  return { state, chain }
}

/** Resolves a step to a concrete op against the current state (cancels and unlocks name existing things). */
function resolve(s: ChannelState, st: Step, chain: Chain): Op {
  if (st.kind === 'op') return st.op
  if (st.kind === 'attest') {
    const real = chain.records[st.index]
    return deposit(st.fake || !real ? { ...(st.fake ?? real ?? FAKE), index: BigInt(st.index) } : real)
  }
  const keys =
    st.kind === 'cancel'
      ? s.books.flatMap((b) => [...b.orders()].map((o) => o.key))
      : [...s.locks.keys()].sort()
  const key = keys.length > 0 ? keys[st.pick % (keys.length + 1)] : undefined
  const [, seq, index] = (key ?? `0:${st.pick}:0`).split(':')
  return st.kind === 'cancel'
    ? { tag: OpTag.Cancel, orderSeq: BigInt(seq!), orderIndex: Number(index) }
    : unlock(BigInt(seq!), Number(index))
}

/** A cheap assertion for the hot invariant loop (expect() per value would dominate the runtime). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant violated: ${what}`)
}

function checkInvariants(s: ChannelState, chain: Chain): void {
  const { markets, params } = s.channel.config
  // conservation: holdings per token equal what was credited from the contract
  check(s.depositCount === chain.credited, `depositCount ${s.depositCount} ≠ model ${chain.credited}`)
  for (let t = 0; t < s.T; t++) {
    let held = 0n
    for (let p = 0; p < s.P; p++) held += s.holdings(p, t)
    check(held === chain.supply[t], `token ${t}: holdings ${held} ≠ credited ${chain.supply[t]}`)
  }
  // pending attestations: inside the window, one bit per attester, and none of them a quorum
  for (const [index, list] of s.attestations) {
    check(index >= s.depositCount && index < s.depositCount + DEPOSIT_WINDOW, `attestation at ${index}`)
    let all = 0n
    for (const a of list) {
      check((all & a.by) === 0n, `index ${index}: an attester counted twice`)
      all |= a.by
      check(a.count === a.by.toString(2).split('1').length - 1, `index ${index}: count ≠ attesters`)
      check(index > s.depositCount || a.count < s.quorum, `record ${index} has a quorum but is not credited`)
    }
  }
  // every bucket within [0, 2^128 − 1]: settleable on chain
  for (const bucket of [s.avail, s.locked, s.reserved, s.pendingWithdrawal])
    for (const v of bucket) check(v >= 0n && v <= U128_MAX, `bucket value ${v}`)
  for (let p = 0; p < s.P; p++)
    for (let t = 0; t < s.T; t++) check(s.holdings(p, t) <= U128_MAX, `holdings(${p}, ${t}) over uint128`)
  // reservations are exactly the resting orders' reservations; locks are exactly the lock records
  const reserved = new Array<bigint>(s.P * s.T).fill(0n)
  const locked = new Array<bigint>(s.P * s.T).fill(0n)
  const open = new Array<number>(s.P).fill(0)
  const maxFee = params.makerFeeBps > params.takerFeeBps ? params.makerFeeBps : params.takerFeeBps
  s.books.forEach((book, m) => {
    const market = markets[m]!
    let count = 0
    for (const o of book.orders()) {
      count++
      open[o.owner]!++
      check(o.remaining > 0n, `order ${o.key} rests empty`)
      check(book.byKey.get(o.key) === o, `order ${o.key} not indexed`)
      if (o.side === Side.Buy) {
        reserved[o.owner * s.T + market.quote]! += o.reserved
        // enough left to pay for the rest at its limit price, fee included
        const cost = o.remaining * o.price * market.tickSize
        check(o.reserved >= cost + (cost * maxFee) / BPS, `bid ${o.key} under-reserved`)
      } else {
        reserved[o.owner * s.T + market.base]! += o.reserved
        check(o.reserved === o.remaining * market.lotSize, `ask ${o.key} reservation`)
      }
    }
    check(book.byKey.size === count, 'byKey size')
    // levels strictly ordered, never empty, and the book never crossed
    const prices = (side: Side) => book.levels(side).map((l) => l.price)
    for (const l of [...book.bids, ...book.asks]) check(l.head < l.orders.length, 'empty level')
    const bids = prices(Side.Buy)
    const asks = prices(Side.Sell)
    for (let i = 1; i < bids.length; i++) check(bids[i]! < bids[i - 1]!, 'bids not descending')
    for (let i = 1; i < asks.length; i++) check(asks[i]! > asks[i - 1]!, 'asks not ascending')
    if (bids.length > 0 && asks.length > 0) check(bids[0]! < asks[0]!, 'crossed book')
  })
  for (const l of s.locks.values()) locked[l.owner * s.T + l.token]! += l.amount
  check(
    s.reserved.every((v, i) => v === reserved[i]),
    'reserved buckets ≠ resting orders',
  )
  check(
    s.locked.every((v, i) => v === locked[i]),
    'locked buckets ≠ locks',
  )
  check(
    s.openOrders.every((v, i) => v === open[i]),
    'open order counts',
  )
}

describe('invariants under random op sequences (THREATS rows 7, 15)', () => {
  it('conservation, no negative or oversized bucket, reservations match the books, rejects leave no trace', () => {
    fc.assert(
      fc.property(scenario, ({ amount, fees, steps }) => {
        const { state: s, chain } = fixture(amount, fees)
        const seqs = new Array<bigint>(P).fill(0n)
        steps.forEach((st, i) => {
          if (st.kind === 'attest' && st.author < 0) {
            chain.quorumNext(s)
            checkInvariants(s, chain)
            return
          }
          const op = resolve(s, st, chain)
          seqs[st.author]! += 1n
          const ctx = {
            author: st.author,
            seq: seqs[st.author]!,
            index: 0,
            height: i,
            block: `b${i}`,
            time: 0n,
          }
          const before = toHex(stateRoot(s))
          const r = s.apply(op, ctx)
          if (r !== Reject.None) check(toHex(stateRoot(s)) === before, `rejected op (${r}) changed the state`)
          chain.observe(s, op, st.author, r)
          const restricted =
            op.tag === OpTag.Place ||
            op.tag === OpTag.Transfer ||
            op.tag === OpTag.Withdraw ||
            op.tag === OpTag.Lock
          if (st.author === 3 && restricted) check(r === Reject.NotPermitted, 'observer acted')
          checkInvariants(s, chain)
        })
      }),
      { numRuns: 200 },
    )
  })

  it('clone() is a deep copy: mutating the clone leaves the original untouched', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ amount, fees, steps }, cut) => {
        const { state: s, chain } = fixture(amount, fees)
        const seqs = new Array<bigint>(P).fill(0n)
        const run = (target: ChannelState, from: number, to: number) => {
          for (let i = from; i < to; i++) {
            const st = steps[i]!
            if (st.author < 0) continue
            seqs[st.author]! += 1n
            target.apply(resolve(target, st, chain), {
              author: st.author,
              seq: seqs[st.author]!,
              index: 0,
              height: i,
              block: `b${i}`,
              time: 0n,
            })
          }
        }
        const k = cut % (steps.length + 1)
        run(s, 0, k)
        const root = toHex(stateRoot(s))
        const resting = s.books.map((b) => [...b.orders()].map((o) => ({ ...o })))
        const c = s.clone()
        expect(toHex(stateRoot(c))).toBe(root)
        run(c, k, steps.length)
        // also poke the clone's containers directly
        c.avail[0]! += 1n
        c.depositCount += 1n
        c.apply(deposit({ index: c.depositCount, participant: 0, token: 0, amount: 1n }), {
          author: 0,
          seq: 999n,
          index: 0,
          height: 0,
          block: 'poke',
          time: 0n,
        })
        c.attestations.clear()
        c.locks.clear()
        for (const b of c.books) for (const o of b.orders()) o.remaining += 1n
        expect(toHex(stateRoot(s))).toBe(root)
        expect(s.books.map((b) => [...b.orders()])).toEqual(resting)
        checkInvariants(s, chain)
      }),
      { numRuns: 100 },
    )
  })
})
