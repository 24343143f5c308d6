import { type AmmParams, type Market, openChannel } from '../channel.ts'
import { type AmmSwapOp, type Op, OpTag, Side } from '../ops.ts'
import type { Reject } from '../reasons.ts'
import { ChannelState, type OpContext } from '../state.ts'
import { makeTestChannel, TEST_MARKET, type TestChannel, testDeposits } from '../testing.ts'

/**
 * An AMM test channel (tests and the simulator): tokens 0 (base) and 1 (quote), market 0 spot with a pool, market 1
 * a second spot market over the same tokens (its own pool); participant 4 is an Observer. Not folded.
 */
export const AMM_PARAMS: AmmParams = { defaultFeeBps: 30n }
export const SECOND_MARKET: Market = { base: 1, quote: 0, tickSize: 1n, lotSize: 1n }
export const NO_DEADLINE = (1n << 64n) - 1n

const made = new Map<string, TestChannel>()

/** Memoized per (participants, fee): opening a channel checks every session-key signature. */
export function ammChannel(o: { participants?: number; amm?: AmmParams } = {}): TestChannel {
  const P = o.participants ?? 5
  const key = `${P}:${o.amm?.defaultFeeBps ?? ''}`
  const known = made.get(key)
  if (known) return known
  const tc = openAmmChannel(P, o.amm)
  made.set(key, tc)
  return tc
}

function openAmmChannel(P: number, amm: AmmParams | undefined): TestChannel {
  const tc = makeTestChannel({
    participants: P,
    label: 'amm',
    markets: [TEST_MARKET, SECOND_MARKET],
    roles: Array.from({ length: P }, (_, i) => (i === 4 ? 3 : 0)),
  })
  // the AMM params are not part of the channel id: the session-key authorisations stay valid
  const config = tc.channel.config
  return {
    members: tc.members,
    channel: openChannel({ ...config, params: { ...config.params, amm: amm ?? AMM_PARAMS } }),
  }
}

/** A funded ChannelState and an op runner with a settable clock. */
export function ammHarness(o: Parameters<typeof ammChannel>[0] & { amount?: bigint } = {}) {
  const tc = ammChannel(o)
  const state = new ChannelState(tc.channel)
  state.creditGenesis(testDeposits(tc.members.length, 2, o.amount ?? 1_000_000_000n))
  const seqs = new Array<bigint>(tc.members.length).fill(0n)
  const h = {
    tc,
    state,
    time: 0n,
    ctx(author: number): OpContext {
      seqs[author]! += 1n
      return {
        author,
        seq: seqs[author]!,
        index: 0,
        height: 0,
        block: `b${author}:${seqs[author]}`,
        time: h.time,
      }
    },
    apply(author: number, op: Op): Reject {
      return state.apply(op, h.ctx(author))
    },
    add(author: number, base: bigint, quote: bigint, voteBps = 30, minShares = 0n, market = 0): Reject {
      return h.apply(author, {
        tag: OpTag.AmmAdd,
        market,
        baseMax: base,
        quoteMax: quote,
        minShares,
        voteBps,
      })
    },
    remove(author: number, shares: bigint, minBase = 0n, minQuote = 0n, market = 0): Reject {
      return h.apply(author, { tag: OpTag.AmmRemove, market, shares, minBase, minQuote })
    },
    swap(author: number, s: Partial<AmmSwapOp> & { side: Side; amountIn: bigint }): Reject {
      return h.apply(author, {
        tag: OpTag.AmmSwap,
        market: 0,
        minOut: 0n,
        deadline: NO_DEADLINE,
        ...s,
      })
    },
    vote(author: number, voteBps: number, market = 0): Reject {
      return h.apply(author, { tag: OpTag.AmmVote, market, voteBps })
    },
    give(author: number, to: number, shares: bigint, market = 0): Reject {
      return h.apply(author, { tag: OpTag.AmmShareTransfer, market, to, shares })
    },
    pool(market = 0) {
      return state.amm!.pools[market]!
    },
    avail(p: number, t: number): bigint {
      return state.avail[p * state.T + t]!
    },
  }
  return h
}

export { Side }
