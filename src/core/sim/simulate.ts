import { createBlock, decodeBlock } from '../block.ts'
import { fromHex, type Hex, toHex } from '../bytes.ts'
import { checkpointDigest } from '../checkpoint.ts'
import { keccak256 } from '../hash.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { defaultQuorum, toleratedEquivocators, toleratedSilent } from '../quorum.ts'
import { BatchFullError, Replica } from '../replica.ts'
import { signDigest } from '../signature.ts'
import { makeTestChannel, TEST_MARKET, testDeposits } from '../testing.ts'
import { randomAmmOp, SIM_AMM_PARAMS } from './ammOps.ts'
import { randomLendOp, withLending } from './lendingOps.ts'
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
  let reversals = 0
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

  // Byzantine behaviour on top of a running replica
  const spam = (b: number): Op[] => [
    { tag: OpTag.Transfer, to: honest[rng.int(0, honest.length)]!, token: 0, amount: DEPOSIT * 1000n },
    { tag: OpTag.Cancel, orderSeq: 1n, orderIndex: 2 },
    // a deposit that does not exist on chain, and a real one with a forged amount
    { tag: OpTag.Deposit, depositIndex: BigInt(deposits.length), participant: b, token: 0, amount: DEPOSIT },
    {
      tag: OpTag.Deposit,
      depositIndex: BigInt(deposits.length + 1),
      participant: b,
      token: 1,
      amount: DEPOSIT * 9n,
    },
    {
      tag: OpTag.Place,
      market: 0,
      side: Side.Buy,
      kind: OrderKind.Limit,
      tif: 0,
      price: 100n,
      qty: 10n ** 15n,
    },
    { tag: OpTag.Withdraw, token: 1, amount: DEPOSIT * 5n },
    // with a lending pool: borrow the pool dry without collateral, withdraw a supply it never made
    ...(lending
      ? ([
          { tag: OpTag.LendBorrow, token: 0, amount: DEPOSIT },
          { tag: OpTag.LendWithdraw, token: 1, amount: DEPOSIT * 3n },
        ] as Op[])
      : []),
  ]
  const resign = (bytes: Uint8Array, b: number, ops: Op[], channel = tc) => {
    const blk = decodeBlock(bytes)
    return createBlock({
      channelId: channel.channel.channelId,
      author: blk.author,
      seq: blk.seq,
      round: blk.round,
      time: blk.time,
      prev: blk.prev,
      parents: blk.parents,
      ops,
      sessionKey: channel.members[b]!.sessionKey,
      domainSeparator: channel.channel.domainSeparator,
    })
  }
  const byzantineBlock = (b: number, bytes: Uint8Array) => {
    const x = rng.next()
    if (x < 0.35) {
      // equivocation: a second block for the same round and seq, each version to one half of the network
      const twin = resign(bytes, b, spam(b).slice(0, rng.int(1, 4)))
      // each version reaches at least one honest replica, so the fork is seen
      const shuffled = rng.shuffle(honest.slice())
      const half = shuffled.slice(0, Math.max(1, rng.int(0, shuffled.length)))
      broadcast(b, bytes, half)
      broadcast(
        b,
        twin.bytes,
        everyone.filter((h) => !half.includes(h)),
      )
      return
    }
    broadcast(b, bytes)
    if (x < 0.45) {
      // forged author: a block claiming an honest participant, signed with the Byzantine key
      const victim = honest[rng.int(0, honest.length)]!
      const blk = decodeBlock(bytes)
      const forged = createBlock({
        channelId: tc.channel.channelId,
        author: fromHex(tc.members[victim]!.address),
        seq: 1n,
        round: blk.round,
        time: blk.time,
        prev: new Uint8Array(32),
        parents: [],
        ops: [{ tag: OpTag.Transfer, to: b, token: 0, amount: DEPOSIT }],
        sessionKey: tc.members[b]!.sessionKey,
        domainSeparator: tc.channel.domainSeparator,
      })
      broadcast(b, forged.bytes)
    } else if (x < 0.55) {
      const g = rng.next()
      if (g < 0.33) broadcast(b, rng.bytes(rng.int(0, 400)))
      else if (g < 0.66) broadcast(b, bytes.slice(0, rng.int(0, bytes.length)))
      else {
        const flipped = bytes.slice()
        const k = rng.int(0, flipped.length)
        flipped[k] = flipped[k]! ^ (1 << rng.int(0, 8))
        broadcast(b, flipped)
      }
    } else if (x < 0.65) {
      // lying parents at a fresh seq: references that do not exist
      const blk = decodeBlock(bytes)
      const lie = createBlock({
        channelId: tc.channel.channelId,
        author: blk.author,
        seq: blk.seq + 1n,
        round: blk.round + 1n,
        time: blk.time,
        prev: blk.prev,
        parents: [keccak256(rng.bytes(8)), keccak256(rng.bytes(8))],
        ops: spam(b),
        sessionKey: tc.members[b]!.sessionKey,
        domainSeparator: tc.channel.domainSeparator,
      })
      broadcast(b, lie.bytes)
    } else if (x < 0.75) {
      broadcast(b, resign(bytes, b, spam(b), other).bytes)
    } else if (x < 0.85) {
      // a conflicting checkpoint signature at the newest version it knows
      const r = byzReplicas.get(b)!
      const cp = r.heldCheckpoints().at(-1)
      if (cp) {
        const wrong = { ...cp, stateRoot: keccak256(rng.bytes(8)) }
        const signature = signDigest(
          checkpointDigest(tc.channel.domainSeparator, tc.channel.channelId, wrong),
          tc.members[b]!.sessionKey,
        )
        try {
          const res = r.submit({ tag: OpTag.Checkpoint, ...wrong, signature }, now)
          if (res.sealed) broadcast(b, res.sealed)
        } catch {}
      }
    } else {
      const bad = bytes.slice()
      bad[bad.length - 1] = 29
      broadcast(b, bad)
    }
  }

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
  const reps = honest.map((i) => replicas.get(i)!)
  const roots = reps.map((r) => toHex(r.stateRoot()))
  const eqs = reps.map((r) => r.equivocators().join(','))
  const fresh = new Replica(tc.channel, {
    ignoreForcedQueue: true,
    deposits,
    ...(p.refDepth === undefined ? {} : { refDepth: p.refDepth }),
  })
  fresh.receiveMany(reps[0]!.blocksInOrder())
  const replayMatches = toHex(fresh.stateRoot()) === roots[0] && fresh.finalCount === reps[0]!.finalCount
  // reversals: a block once final at a replica must still be at the same position with the same results
  for (let k = 0; k < reps.length; k++)
    for (const [hex, v] of seenFinal[k]!) {
      const x = reps[k]!.order[v.pos]
      if (!x || x.hex !== hex || x.results.join(',') !== v.results) reversals += x ? x.results.length : 1
    }
  // conflicting finality: final prefixes must be prefixes of one another
  let conflictingFinal = false
  const ids = reps.map((r) => r.finalIds())
  for (let a = 1; a < ids.length; a++) {
    const m = Math.min(ids[0]!.length, ids[a]!.length)
    for (let i = 0; i < m; i++)
      if (ids[0]![i] !== ids[a]![i]) {
        conflictingFinal = true
        break
      }
  }
  // honest ops (automatic checkpoint signatures aside) in every honest replica's final prefix
  const honestSet = new Set(honest)
  let finalOps = Number.POSITIVE_INFINITY
  for (const r of reps) {
    let c = 0
    for (let i = 0; i < r.finalCount; i++) {
      const x = r.order[i]!
      if (honestSet.has(x.author)) for (const op of x.block.ops) if (op.tag !== OpTag.Checkpoint) c++
    }
    finalOps = Math.min(finalOps, c)
  }
  const faulty = new Set<number>()
  for (const r of reps) {
    for (const e of r.equivocations) faulty.add(e.author)
    for (const c of r.checkpointConflicts) faulty.add(c.author)
  }
  const r0 = reps[0]!
  const lat: number[] = []
  let start = 0
  for (const leader of r0.leaders) {
    for (let i = start; i <= leader.commitIndex; i++) {
      const x = r0.order[i]!
      for (let k = 0; k < x.block.ops.length; k++) lat.push(leader.round + 2 - x.round)
    }
    start = leader.commitIndex + 1
  }
  lat.sort((a, b) => a - b)
  // integer percentile: the element at ⌊len·p/100⌋ (no float in the core)
  const pct = (p: number) => {
    if (lat.length === 0) return 0
    const scaled = lat.length * p
    return lat[Math.min(lat.length - 1, (scaled - (scaled % 100)) / 100)]!
  }
  const { applied, skipped } = r0.opCounts()
  let accepted = 0
  let rejected = 0
  const rejectedByReason: Record<string, number> = {}
  for (const r of reps) {
    accepted += r.ingress.accepted
    for (const [k, v] of r.ingress.rejected) {
      rejected += v
      rejectedByReason[k] = (rejectedByReason[k] ?? 0) + v
    }
  }
  return {
    participants: n,
    honest: honest.length,
    quorum: q,
    ops: p.ops,
    mix,
    seed: p.seed,
    roots,
    converged: roots.every((x) => x === roots[0]) && eqs.every((x) => x === eqs[0]),
    replayMatches,
    finalOps,
    honestOps,
    finalReversals: reversals,
    conflictingFinal,
    provablyFaulty: [...faulty].sort((a, b) => a - b),
    finalLatencyRounds: { p50: pct(50), p95: pct(95) },
    withinFaultModel: B <= toleratedEquivocators(n, q) && B + S <= toleratedSilent(n, q),
    accepted,
    rejected,
    opsApplied: applied,
    opsSkipped: skipped,
    equivocators: r0.equivocators(),
    equivocatorsAgree: eqs.every((x) => x === eqs[0]),
    certifiedCheckpoints: r0.heldCheckpoints().filter((c) => c.signatures.size >= q).length,
    opApplications: (applied + skipped) * honest.length,
    blocks: r0.order.length,
    rounds: r0.dag.maxRound,
    rejectedByReason,
  }
}
