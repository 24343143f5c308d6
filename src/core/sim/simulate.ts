import type { Hex } from '../bytes.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { defaultQuorum } from '../quorum.ts'
import { BatchFullError, Replica } from '../replica.ts'
import { makeTestChannel, TEST_MARKET, testDeposits } from '../testing.ts'
import { randomAmmOp, SIM_AMM_PARAMS } from './ammOps.ts'
import { byzantineBehaviour } from './byzantine.ts'
import { randomLendOp, withLending } from './lendingOps.ts'
import { simulationOutcome } from './outcome.ts'
import { MIXES, type Mix, randomPerpOp, SIM_PERP_MARKET, SIM_PERP_PARAMS } from './perpOps.ts'
import { Rng } from './rng.ts'

/**
 * A seeded in-memory network of replicas: honest authors trade through random delays, reordering and partitions
 * while Byzantine participants equivocate (a different block of one round to each half of the network), forge,
 * overdraw, send garbage, lie about parents, withhold, replay blocks from another channel, sign conflicting
 * checkpoints and attest deposits that do not exist; silent participants never send. Everything random comes
 * from the seed, so a failing seed replays exactly.
 */
export type SimulateParameters = {
  participants: number
  ops: number
  byzantine: number
  /** participants that never send anything (crashed from the start) */
  silent?: number
  seed: number
  /** quorum; defaults to n − ⌊(n − 1)/3⌋ */
  quorum?: number
  /** network deliveries per authoring step (default 3) */
  deliveriesPerStep?: number
  /** the op modules honest authors draw from (default spot): with perps the channel has a perp market */
  mix?: readonly Mix[]
  /** the reference depth D (dag.ts REF_DEPTH by default): small values exercise the depth rule */
  refDepth?: number
  /** called with the honest replicas at the end (tests and debugging) */
  inspect?: (replicas: ReadonlyMap<number, Replica>) => void
}

export type SimulateReturnType = {
  participants: number
  honest: number
  quorum: number
  ops: number
  seed: number
  mix: Mix[]
  roots: Hex[]
  /** honest replicas hold one state root and agree on the equivocators */
  converged: boolean
  /** a fresh replica fed every block at once (blocksInOrder) computes the same root as the live ones */
  replayMatches: boolean
  /** ops final at every honest replica at the end */
  finalOps: number
  /** ops by honest authors that made it into a block */
  honestOps: number
  /** ops that some honest replica reported final and whose position or outcome later changed */
  finalReversals: number
  /** two honest replicas' final prefixes are not prefixes of one another */
  conflictingFinal: boolean
  /** honest participants whose replica saw q signatures on a checkpoint digest other than its own (divergence) */
  divergedHonest: number[]
  /** participants with signed evidence against them (equivocation or conflicting checkpoint signatures) */
  provablyFaulty: number[]
  /** rounds from a block's round to the round where its leader's commit was decided */
  finalLatencyRounds: { p50: number; p95: number }
  withinFaultModel: boolean
  accepted: number
  rejected: number
  opsApplied: number
  opsSkipped: number
  equivocators: number[]
  equivocatorsAgree: boolean
  /** checkpoints certified by q signatures at the first honest replica */
  certifiedCheckpoints: number
  /** op applications across honest replicas: the work a run does */
  opApplications: number
  blocks: number
  rounds: number
  rejectedByReason: Record<string, number>
}

type Message = { to: number; bytes: Uint8Array; at: number }

const DEPOSIT = 10n ** 12n

export function simulate(p: SimulateParameters): SimulateReturnType {
  const rng = new Rng(p.seed)
  const n = p.participants
  const B = p.byzantine
  const S = p.silent ?? 0
  if (B < 0 || S < 0 || B + S >= n) throw new RangeError('byzantine + silent must be in [0, participants)')
  const q = p.quorum ?? defaultQuorum(n)
  const honest = Array.from({ length: n - B - S }, (_, i) => i)
  const byz = Array.from({ length: B }, (_, i) => n - B - S + i)
  const mix: Mix[] = p.mix && p.mix.length > 0 ? MIXES.filter((m) => p.mix!.includes(m)) : ['spot']
  const spot = mix.includes('spot')
  const perps = mix.includes('perps')
  const amm = mix.includes('amm')
  const lending = mix.includes('lending')
  const base = makeTestChannel({
    participants: n,
    label: `sim-${p.seed}`,
    threshold: q,
    ...(perps ? { markets: [TEST_MARKET, SIM_PERP_MARKET], maxLeverage: 10, perps: SIM_PERP_PARAMS } : {}),
    ...(amm ? { amm: SIM_AMM_PARAMS } : {}),
  })
  // the lending params are not part of the channelId: the members' authorisations stay valid
  const tc = lending ? { ...base, channel: withLending(base.channel) } : base
  const other = makeTestChannel({ participants: n, label: `sim-${p.seed}`, nonce: 2n, threshold: q })
  const deposits = testDeposits(n, 2, DEPOSIT)
  // honest replicas and Byzantine ones (which run the same code and then misbehave on top)
  const replicas = new Map<number, Replica>()
  const byzReplicas = new Map<number, Replica>()
  const relay = (from: number) => (node: { bytes: Uint8Array | undefined; author: number }) => {
    if (node.author !== from && node.bytes) broadcast(from, node.bytes)
  }
  const options = (i: number) => ({
    ignoreForcedQueue: true,
    author: { index: i, sessionKey: tc.members[i]!.sessionKey },
    deposits,
    leaderWaitMs: 30,
    checkpointIntervalMs: 400,
    maxBatchOps: rng.int(64, 1025),
    ...(p.refDepth === undefined ? {} : { refDepth: p.refDepth }),
  })
  for (const i of honest) replicas.set(i, new Replica(tc.channel, { ...options(i), onAccept: relay(i) }))
  for (const b of byz) byzReplicas.set(b, new Replica(tc.channel, options(b)))

  // network: random delays, occasional partitions of the honest set
  let now = 0
  const queue: Message[] = []
  let partition: { until: number; side: Set<number> } | undefined
  const send = (from: number, to: number, bytes: Uint8Array) => {
    if (from === to) return
    let at = now + rng.int(1, 25)
    if (partition && partition.side.has(from) !== partition.side.has(to)) at = Math.max(at, partition.until)
    queue.push({ to, bytes, at })
  }
  const everyone = [...honest, ...byz]
  const broadcast = (from: number, bytes: Uint8Array, only?: number[]) => {
    for (const to of only ?? everyone) send(from, to, bytes)
  }
  // final-prefix tracking per honest replica: each op's block id, position and result when first seen final
  const seenFinal = honest.map(() => new Map<Hex, { pos: number; results: string }>())
  const checkFinal = (k: number) => {
    const r = replicas.get(honest[k]!)!
    const seen = seenFinal[k]!
    for (let i = seen.size; i < r.finalCount; i++) {
      const x = r.order[i]!
      seen.set(x.hex, { pos: i, results: x.results.join(',') })
    }
  }
  const deliver = (m: Message) => {
    const h = replicas.get(m.to)
    if (h) {
      h.receive(m.bytes)
      checkFinal(honest.indexOf(m.to))
    } else byzReplicas.get(m.to)?.receive(m.bytes)
  }
  const deliverDue = (max: number) => {
    for (let d = 0; d < max && queue.length > 0; d++) {
      let idx = -1
      for (let tries = 0; tries < 4 && idx < 0; tries++) {
        const k = rng.int(0, queue.length)
        if (queue[k]!.at <= now) idx = k
      }
      if (idx < 0) return
      const m = queue[idx]!
      queue[idx] = queue[queue.length - 1]!
      queue.pop()
      deliver(m)
    }
  }

  // honest authoring
  let honestOps = 0
  const openOrders = new Map<number, { seq: bigint; index: number }[]>()
  const submit = (i: number, op: Op) => {
    const r = replicas.get(i)!
    try {
      const res = r.submit(op, now)
      honestOps++
      if (
        (op.tag === OpTag.Place || op.tag === OpTag.PerpPlace) &&
        op.kind === OrderKind.Limit &&
        op.tif !== TimeInForce.IOC &&
        res.result === 0
      ) {
        const list = openOrders.get(i) ?? []
        list.push({ seq: res.seq, index: res.index })
        openOrders.set(i, list)
      }
      if (res.sealed) broadcast(i, res.sealed)
    } catch (e) {
      if (!(e instanceof BatchFullError)) throw e
    }
  }
  const randomOp = (i: number): Op => {
    // one module per op, uniformly over the mix (no draw without the AMM, so other mixes replay as before)
    if (amm && rng.int(0, mix.length) === 0) return randomAmmOp(rng, i, n, replicas.get(i)?.clock ?? 0n)
    if (lending && rng.int(0, mix.length) === 0) return randomLendOp(rng, i, n)
    if (perps && (!spot || rng.int(0, 2) === 1)) {
      const list = openOrders.get(i) ?? []
      if (list.length > 0 && rng.int(0, 10) === 0) {
        const o = list.splice(rng.int(0, list.length), 1)[0]!
        return { tag: OpTag.Cancel, orderSeq: o.seq, orderIndex: o.index }
      }
      return randomPerpOp(rng, i, n)
    }
    const x = rng.next()
    const price = BigInt(rng.int(90, 111))
    const qty = BigInt(rng.int(1, 50))
    const side = rng.next() < 0.5 ? Side.Buy : Side.Sell
    if (x < 0.15) {
      let to = rng.int(0, n)
      if (to === i) to = (to + 1) % n
      return { tag: OpTag.Transfer, to, token: rng.int(0, 2), amount: BigInt(rng.int(1, 5000)) }
    }
    if (x < 0.6) {
      const tif =
        rng.next() < 0.7 ? TimeInForce.GTC : rng.next() < 0.5 ? TimeInForce.IOC : TimeInForce.PostOnly
      return { tag: OpTag.Place, market: 0, side, kind: OrderKind.Limit, tif, price, qty }
    }
    if (x < 0.75) {
      const worst = side === Side.Buy ? 120n : 80n
      return {
        tag: OpTag.Place,
        market: 0,
        side,
        kind: OrderKind.Market,
        tif: TimeInForce.IOC,
        price: worst,
        qty,
      }
    }
    if (x < 0.95) {
      const list = openOrders.get(i) ?? []
      if (list.length > 0) {
        const k = rng.int(0, list.length)
        const o = list[k]!
        list[k] = list[list.length - 1]!
        list.pop()
        return { tag: OpTag.Cancel, orderSeq: o.seq, orderIndex: o.index }
      }
      return { tag: OpTag.Place, market: 0, side, kind: OrderKind.Limit, tif: TimeInForce.GTC, price, qty }
    }
    if (x < 0.97) return { tag: OpTag.Withdraw, token: rng.int(0, 2), amount: BigInt(rng.int(1, 1000)) }
    if (x < 0.99) return { tag: OpTag.CheckpointRequest }
    return { tag: OpTag.Lock, token: rng.int(0, 2), amount: BigInt(rng.int(1, 1000)), until: 0n, reason: 1 }
  }

  const { spam, byzantineBlock } = byzantineBehaviour({
    rng,
    honest,
    everyone,
    tc,
    other,
    deposits,
    deposit: DEPOSIT,
    lending,
    byzReplicas,
    broadcast,
    now: () => now,
  })

  let draining = false
  const tickAll = () => {
    for (const i of honest) {
      const sealed = replicas.get(i)!.tick(now)
      if (sealed) broadcast(i, sealed)
    }
    for (const b of byz) {
      const r = byzReplicas.get(b)!
      if (!draining && rng.next() < 0.3)
        try {
          r.submit(spam(b)[rng.int(0, 6)]!, now)
        } catch {}
      const sealed = r.tick(now)
      if (sealed) byzantineBlock(b, sealed)
    }
  }

  // main loop: one step = one ms of simulated time
  let submitted = 0
  const perStep = p.deliveriesPerStep ?? 3
  while (submitted < p.ops) {
    now++
    for (let k = 0; k < 3 && submitted < p.ops; k++) {
      const i = honest[rng.int(0, honest.length)]!
      submit(i, randomOp(i))
      submitted++
    }
    if (!partition && rng.next() < 0.002)
      partition = { until: now + rng.int(50, 300), side: new Set(honest.filter(() => rng.next() < 0.5)) }
    if (partition && now >= partition.until) partition = undefined
    tickAll()
    deliverDue(perStep * (honest.length + B))
  }
  partition = undefined
  draining = true
  // drain: keep time moving until nobody has anything to propose and the network is empty
  for (let guard = 0; guard < 20_000; guard++) {
    now++
    tickAll()
    deliverDue(1_000_000)
    const busy = queue.length > 0 || honest.some((i) => replicas.get(i)!.wantsToPropose())
    if (!busy) break
  }
  for (let k = 0; k < honest.length; k++) checkFinal(k)

  p.inspect?.(replicas)
  return simulationOutcome({
    p,
    mix,
    quorum: q,
    honest,
    replicas: honest.map((i) => replicas.get(i)!),
    seenFinal,
    honestOps,
    channel: tc.channel,
    deposits,
  })
}
