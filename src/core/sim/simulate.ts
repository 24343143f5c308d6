import { createBlock } from '../block.ts'
import { fromHex, type Hex, toHex } from '../bytes.ts'
import { keccak256 } from '../hash.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { Replica } from '../replica.ts'
import { makeTestChannel, type TestChannel, testDeposits } from '../testing.ts'
import { Rng } from './rng.ts'

/**
 * A seeded in-memory network of replicas: honest authors trade through random delays, reordering, batching
 * and partitions while Byzantine participants forge, equivocate, overdraw, send garbage, lie about parents,
 * withhold and replay blocks from another channel. Everything random comes from the seed, so a failing seed
 * replays exactly.
 */
export type SimulateParameters = {
  participants: number
  ops: number
  byzantine: number
  seed: number
  /** run a threshold checkpoint round at the end (default true) */
  checkpoint?: boolean
  /** how many network deliveries happen per authoring step (default 2) */
  deliveriesPerStep?: number
  /** called with the honest replicas at the end (tests and debugging) */
  inspect?: (replicas: ReadonlyMap<number, Replica>) => void
}

export type SimulateReturnType = {
  participants: number
  honest: number
  ops: number
  seed: number
  roots: Hex[]
  converged: boolean
  accepted: number
  rejected: number
  opsApplied: number
  opsSkipped: number
  equivocators: number[]
  equivocatorsAgree: boolean
  finalCheckpoints: number
  /** op applications across honest replicas (each honest replica folds every op): the work a run does */
  opApplications: number
  blocks: number
  rejectedByReason: Record<string, number>
}

type Message = { to: number; bytes: Uint8Array; at: number }

const DEPOSIT = 10n ** 12n

export function simulate(p: SimulateParameters): SimulateReturnType {
  const rng = new Rng(p.seed)
  const n = p.participants
  const B = p.byzantine
  if (B < 0 || B >= n) throw new RangeError('byzantine must be in [0, participants)')
  const honest = Array.from({ length: n - B }, (_, i) => i)
  const byz = Array.from({ length: B }, (_, i) => n - B + i)
  const tc = makeTestChannel({ participants: n, label: `sim-${p.seed}` })
  const other = makeTestChannel({ participants: n, label: `sim-${p.seed}`, nonce: 2n })
  const deposits = testDeposits(n, 2, DEPOSIT)
  const replicas = new Map<number, Replica>()
  // honest peers relay every block they accept (gossip), which also defeats withholding
  const relay = (from: number) => (node: { bytes: Uint8Array | undefined; author: number }) => {
    if (node.author !== from && node.bytes) broadcast(from, node.bytes)
  }
  for (const i of honest)
    replicas.set(
      i,
      new Replica(tc.channel, {
        author: { index: i, sessionKey: tc.members[i]!.sessionKey },
        deposits,
        batchOps: rng.int(8, 129),
        onAccept: relay(i),
      }),
    )

  // network
  let now = 0
  const queue: Message[] = []
  let partition: { until: number; side: Set<number> } | undefined
  const send = (from: number, to: number, bytes: Uint8Array) => {
    if (from === to) return
    let at = now + rng.int(1, 40)
    if (partition && partition.side.has(from) !== partition.side.has(to)) at = Math.max(at, partition.until)
    queue.push({ to, bytes, at })
  }
  const broadcast = (from: number, bytes: Uint8Array, only?: number[]) => {
    for (const to of only ?? honest) send(from, to, bytes)
  }
  const deliverOne = (): boolean => {
    if (queue.length === 0) return false
    // pick among messages that are due, in random order
    let idx = -1
    for (let tries = 0; tries < 4 && idx < 0; tries++) {
      const k = rng.int(0, queue.length)
      if (queue[k]!.at <= now) idx = k
    }
    if (idx < 0) {
      let best = 0
      for (let k = 1; k < queue.length; k++) if (queue[k]!.at < queue[best]!.at) best = k
      idx = best
      if (queue[idx]!.at > now) now = queue[idx]!.at
    }
    const m = queue[idx]!
    queue[idx] = queue[queue.length - 1]!
    queue.pop()
    replicas.get(m.to)!.receive(m.bytes)
    return true
  }

  // honest authoring
  const openOrders = new Map<number, { seq: bigint; index: number }[]>()
  const submit = (i: number, op: Op) => {
    const r = replicas.get(i)!
    const res = r.submit(op)
    if (
      op.tag === OpTag.Place &&
      op.kind === OrderKind.Limit &&
      op.tif !== TimeInForce.IOC &&
      res.result === 0
    ) {
      const list = openOrders.get(i) ?? []
      list.push({ seq: res.seq, index: res.index })
      openOrders.set(i, list)
    }
    if (res.sealed) broadcast(i, res.sealed)
  }
  for (const i of honest) {
    submit(i, { tag: OpTag.Deposit, depositIndex: BigInt(2 * i) })
    submit(i, { tag: OpTag.Deposit, depositIndex: BigInt(2 * i + 1) })
  }
  const randomOp = (i: number): Op => {
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
    if (x < 0.98) return { tag: OpTag.Withdraw, token: rng.int(0, 2), amount: BigInt(rng.int(1, 1000)) }
    return { tag: OpTag.Lock, token: rng.int(0, 2), amount: BigInt(rng.int(1, 1000)), until: 0n, reason: 1 }
  }

  // Byzantine authoring: each Byzantine participant keeps its own (possibly forked) chain
  const byzState = new Map<number, { seq: bigint; prev: Uint8Array; known: Uint8Array[] }>()
  for (const b of byz) byzState.set(b, { seq: 0n, prev: new Uint8Array(32), known: [] })
  const seenIds: Uint8Array[] = []
  const byzBlock = (b: number, ops: Op[], opts: { parents?: Uint8Array[]; channel?: TestChannel } = {}) => {
    const s = byzState.get(b)!
    const ch = opts.channel ?? tc
    const { bytes, id } = createBlock({
      channelId: ch.channel.channelId,
      author: fromHex(ch.members[b]!.address),
      seq: s.seq + 1n,
      prev: s.prev,
      parents: opts.parents ?? seenIds.slice(-3),
      ops,
      sessionKey: ch.members[b]!.sessionKey,
      domainSeparator: ch.channel.domainSeparator,
    })
    return { bytes, id }
  }
  const byzantineStep = (b: number) => {
    const s = byzState.get(b)!
    const x = rng.next()
    const spam: Op[] = [
      { tag: OpTag.Transfer, to: honest[rng.int(0, honest.length)]!, token: 0, amount: DEPOSIT * 1000n },
      { tag: OpTag.Cancel, orderSeq: 1n, orderIndex: 2 },
      { tag: OpTag.Deposit, depositIndex: 0n },
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
    ]
    if (x < 0.25) {
      // overdraft / foreign-order / double-credit spam in a valid block
      const { bytes, id } = byzBlock(b, spam)
      s.seq++
      s.prev = id
      broadcast(b, bytes)
    } else if (x < 0.4) {
      // equivocation: two different blocks at one seq, each to half of the honest peers
      const a = byzBlock(b, [spam[0]!])
      const c = byzBlock(b, [spam[1]!])
      const half = honest.filter(() => rng.next() < 0.5)
      broadcast(b, a.bytes, half)
      broadcast(
        b,
        c.bytes,
        honest.filter((h) => !half.includes(h)),
      )
      s.seq++
      s.prev = rng.next() < 0.5 ? a.id : c.id
    } else if (x < 0.55) {
      // forged signature: a block claiming another participant as author
      const victim = honest[rng.int(0, honest.length)]!
      const { bytes } = createBlock({
        channelId: tc.channel.channelId,
        author: fromHex(tc.members[victim]!.address),
        seq: 1n,
        prev: new Uint8Array(32),
        parents: [],
        ops: [{ tag: OpTag.Transfer, to: b, token: 0, amount: DEPOSIT }],
        sessionKey: tc.members[b]!.sessionKey,
        domainSeparator: tc.channel.domainSeparator,
      })
      broadcast(b, bytes)
    } else if (x < 0.65) {
      // garbage: random bytes, truncations and bit flips of a valid block
      const { bytes } = byzBlock(b, spam)
      const g = rng.next()
      if (g < 0.33) broadcast(b, rng.bytes(rng.int(0, 400)))
      else if (g < 0.66) broadcast(b, bytes.slice(0, rng.int(0, bytes.length)))
      else {
        const flipped = bytes.slice()
        const k = rng.int(0, flipped.length)
        flipped[k] = flipped[k]! ^ (1 << rng.int(0, 8))
        broadcast(b, flipped)
      }
    } else if (x < 0.75) {
      // lying parents: references blocks that do not exist
      const fake = [keccak256(rng.bytes(8)), keccak256(rng.bytes(8))]
      const { bytes } = byzBlock(b, spam, { parents: fake })
      broadcast(b, bytes)
    } else if (x < 0.85) {
      // withholding: a valid block shown to a single honest peer
      const { bytes, id } = byzBlock(b, [spam[0]!])
      s.seq++
      s.prev = id
      broadcast(b, bytes, [honest[rng.int(0, honest.length)]!])
    } else if (x < 0.92) {
      // replay from another channel (same keys, another channel id)
      const { bytes } = byzBlock(b, spam, { channel: other, parents: [] })
      broadcast(b, bytes)
    } else {
      // a block signed for the right channel but with v outside {27, 28}
      const { bytes } = byzBlock(b, spam)
      const bad = bytes.slice()
      bad[bad.length - 1] = 29
      broadcast(b, bad)
    }
  }

  // main loop
  let submitted = 0
  const deliveriesPerStep = p.deliveriesPerStep ?? 2
  while (submitted < p.ops) {
    now++
    const i = honest[rng.int(0, honest.length)]!
    submit(i, randomOp(i))
    submitted++
    if (rng.next() < 0.02) {
      const r = replicas.get(i)!
      const sealed = r.seal()
      if (sealed) broadcast(i, sealed)
    }
    if (B > 0 && rng.next() < 0.01) byzantineStep(byz[rng.int(0, B)]!)
    if (!partition && rng.next() < 0.0005)
      partition = { until: now + rng.int(50, 500), side: new Set(honest.filter(() => rng.next() < 0.5)) }
    if (partition && now >= partition.until) partition = undefined
    for (let d = 0; d < deliveriesPerStep; d++) deliverOne()
    // remember some accepted ids so Byzantine blocks can reference real parents
    if (submitted % 97 === 0) {
      const heads = replicas.get(honest[0]!)!.headIds()
      for (const h of heads) seenIds.push(fromHex(h))
    }
  }
  partition = undefined
  // flush: seal everything, deliver everything; every honest peer then has every valid block
  const flush = () => {
    for (;;) {
      for (const i of honest) {
        const sealed = replicas.get(i)!.seal()
        if (sealed) broadcast(i, sealed)
      }
      if (queue.length === 0) break
      while (deliverOne()) {}
    }
  }
  flush()
  // every honest author writes one more (empty-effect) block so everyone's latest descends from everything
  for (const i of honest) submit(i, { tag: OpTag.Withdraw, token: 0, amount: 1n })
  flush()

  let finalCheckpoints = 0
  if (p.checkpoint ?? true) {
    const proposer = replicas.get(honest[0]!)!
    const cp = proposer.currentCheckpoint()
    proposer.signCheckpoint(cp)
    flush()
    for (const i of honest.slice(1)) replicas.get(i)!.endorse(cp)
    flush()
    finalCheckpoints = replicas.get(honest[0]!)!.finalCheckpoints.length
  }

  p.inspect?.(replicas)
  const roots = honest.map((i) => toHex(replicas.get(i)!.stateRoot()))
  const eqs = honest.map((i) => replicas.get(i)!.equivocators().join(','))
  const r0 = replicas.get(honest[0]!)!
  const { applied, skipped } = r0.opCounts()
  let accepted = 0
  let rejected = 0
  const rejectedByReason: Record<string, number> = {}
  for (const i of honest) {
    const r = replicas.get(i)!
    accepted += r.ingress.accepted
    for (const [k, v] of r.ingress.rejected) {
      rejected += v
      rejectedByReason[k] = (rejectedByReason[k] ?? 0) + v
    }
  }
  return {
    participants: n,
    honest: honest.length,
    ops: p.ops,
    seed: p.seed,
    roots,
    converged: roots.every((x) => x === roots[0]) && eqs.every((x) => x === eqs[0]),
    accepted,
    rejected,
    opsApplied: applied,
    opsSkipped: skipped,
    equivocators: r0.equivocators(),
    equivocatorsAgree: eqs.every((x) => x === eqs[0]),
    finalCheckpoints,
    opApplications: (applied + skipped) * honest.length,
    blocks: r0.order.length,
    rejectedByReason,
  }
}
