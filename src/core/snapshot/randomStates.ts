import type { Channel } from '../channel.ts'
import { encodeOp } from '../opCodec.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { randomAmmOp, SIM_AMM_PARAMS } from '../sim/ammOps.ts'
import { randomLendOp, withLending } from '../sim/lendingOps.ts'
import { randomPerpOp, SIM_PERP_MARKET, SIM_PERP_PARAMS } from '../sim/perpOps.ts'
import type { Rng } from '../sim/rng.ts'
import { ChannelState, type OpContext } from '../state.ts'
import { makeTestChannel, TEST_MARKET, type TestChannel, testDeposits } from '../testing.ts'

/**
 * Random channel states over every module at once (tests of the snapshot codec and of pruning): a channel with a
 * spot market (with an AMM pool and a lending pool) and a perp market, minStake on, and a stream of random ops from
 * the simulator's generators plus deposits, forced records, stake attestations, locks, transfers and withdrawals.
 */
export function everyModuleChannel(participants: number, label = 'snapshot'): TestChannel {
  const tc = makeTestChannel({
    participants,
    label,
    markets: [TEST_MARKET, SIM_PERP_MARKET],
    maxLeverage: 10,
    perps: SIM_PERP_PARAMS,
    amm: SIM_AMM_PARAMS,
    minStake: 1n,
  })
  return { ...tc, channel: withLending(tc.channel) }
}

/**
 * A random op of any module for `author`. Deposit and forced attestations name records just ahead of what `state`
 * credited so far (one content per index, now and then a conflicting one), so records keep getting credited. While
 * the channel waits for bonds (no trading op is accepted until every participant is bonded), a third of the ops
 * attest the bond of a participant still missing, so the stream reaches a live channel within a few dozen ops.
 */
export function randomAnyOp(
  rng: Rng,
  author: number,
  n: number,
  step: number,
  clock: bigint,
  state: { depositCount: bigint; forcedCount: bigint; stake: { waitingFor(): number[] } },
): Op {
  const waiting = state.stake.waitingFor()
  if (waiting.length > 0 && rng.int(0, 3) === 0)
    return { tag: OpTag.StakeAttest, participant: waiting[rng.int(0, waiting.length)]! }
  const x = rng.int(0, 100)
  if (x < 8) {
    // one content per record index, now and then a conflicting one: records get credited in order
    const index = Number(state.depositCount) + rng.int(0, 3)
    const odd = rng.int(0, 8) === 0
    return {
      tag: OpTag.Deposit,
      depositIndex: BigInt(index),
      participant: index % n,
      token: index % 2,
      amount: BigInt(odd ? 7 : 3 + (index % 5)) * 1_000_000n,
    }
  }
  if (x < 11) return { tag: OpTag.StakeAttest, participant: rng.int(0, n) }
  if (x < 13) {
    const index = Number(state.forcedCount) + rng.int(0, 2)
    const inner: Op = { tag: OpTag.Transfer, to: (index + 1) % n, token: index % 2, amount: 5n }
    return {
      tag: OpTag.ForcedAttest,
      forcedIndex: BigInt(index),
      participant: index % n,
      op: index % 4 === 3 ? Uint8Array.of(0xee, index & 0xff) : encodeOp(inner),
    }
  }
  if (x < 16)
    return { tag: OpTag.Lock, token: rng.int(0, 2), amount: BigInt(rng.int(1, 1000)), until: 0n, reason: 1 }
  if (x < 18) return { tag: OpTag.Unlock, lockSeq: BigInt(rng.int(1, step + 1)), lockIndex: 0 }
  if (x < 22)
    return { tag: OpTag.Transfer, to: rng.int(0, n), token: rng.int(0, 2), amount: BigInt(rng.int(1, 5000)) }
  if (x < 24) return { tag: OpTag.Withdraw, token: rng.int(0, 2), amount: BigInt(rng.int(1, 1000)) }
  if (x < 30) return { tag: OpTag.Cancel, orderSeq: BigInt(rng.int(1, step + 1)), orderIndex: 0 }
  if (x < 45) {
    const side = rng.int(0, 2) === 0 ? Side.Buy : Side.Sell
    const tif = rng.int(0, 4) === 0 ? TimeInForce.IOC : TimeInForce.GTC
    const price = BigInt(rng.int(90, 111))
    return {
      tag: OpTag.Place,
      market: 0,
      side,
      kind: OrderKind.Limit,
      tif,
      price,
      qty: BigInt(rng.int(1, 50)),
    }
  }
  if (x < 65) return randomPerpOp(rng, author, n)
  if (x < 80) return randomAmmOp(rng, author, n, clock)
  return randomLendOp(rng, author, n)
}

/** Applies `count` random ops to `state` (authors at random, seq = step, the clock advancing 0–3 s per op). */
export function applyRandomOps(
  state: ChannelState,
  rng: Rng,
  count: number,
  from = 0,
): { step: number; clock: bigint } {
  const n = state.P
  let clock = BigInt(from) * 1500n
  for (let step = from; step < from + count; step++) {
    clock += BigInt(rng.int(0, 3000))
    const author = rng.int(0, n)
    const ctx: OpContext = {
      author,
      seq: BigInt(step + 1),
      index: 0,
      height: step,
      block: `b${step}`,
      time: clock,
    }
    state.apply(randomAnyOp(rng, author, n, step, clock, state), ctx)
  }
  return { step: from + count, clock }
}

/** Genesis deposits of the random states: every participant holds 10^9 of each token. */
export const randomGenesis = (participants: number) => testDeposits(participants, 2, 10n ** 9n)

/** A fresh state of `channel`, funded by randomGenesis, after `count` random ops from `rng`. */
export function randomState(channel: Channel, rng: Rng, count: number): ChannelState {
  const s = new ChannelState(channel)
  s.creditGenesis(randomGenesis(s.P))
  applyRandomOps(s, rng, count)
  return s
}
