import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { createBlock, decodeBlock, encodeBlock, MAX_PARENTS } from './block.ts'
import { fromHex, toHex, ZERO32 } from './bytes.ts'
import { checkpointDigest } from './checkpoint.ts'
import { keccak256 } from './hash.ts'
import { MAX_CHECKPOINT_OPS_PER_BLOCK, type Op, OpTag, OrderKind, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { BatchFullError, InvalidOpError, Replica, type ReplicaOptions } from './replica.ts'
import { signDigest } from './signature.ts'
import { Rng } from './sim/rng.ts'
import { ChannelState } from './state.ts'
import { DagBuilder, makeTestChannel, runToQuiet, type TestChannel, testDeposits } from './testing.ts'

const AMOUNT = 1_000_000_000n
const tc = makeTestChannel({ participants: 4, label: 'replica' })
const deposits = testDeposits(4, 2, AMOUNT)
const transfer = (to: number, amount: bigint, token = 0): Op => ({ tag: OpTag.Transfer, to, token, amount })
const limit = (side: Side, price: bigint, qty: bigint): Op => ({
  tag: OpTag.Place,
  market: 0,
  side,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  price,
  qty,
})

function network(ch: TestChannel = tc, opts: ReplicaOptions = {}, who?: number[]) {
  return (who ?? ch.members.map((m) => m.index)).map(
    (i) =>
      new Replica(ch.channel, {
        ignoreForcedQueue: true,
        author: { index: i, sessionKey: ch.members[i]!.sessionKey },
        deposits,
        leaderWaitMs: 0,
        ...opts,
      }),
  )
}
const observer = (opts: ReplicaOptions = {}) =>
  new Replica(tc.channel, { ignoreForcedQueue: true, deposits, ...opts })
const root = (r: Replica) => toHex(r.stateRoot())

/**
 * A random honest history: four authors trade while blocks reach peers after random delays, so rounds form from
 * partial views. Returns every block any replica sealed.
 */
function randomHistory(seed: number, steps: number): Uint8Array[] {
  const rng = new Rng(seed)
  const reps = network()
  const queue: { to: number; bytes: Uint8Array; at: number }[] = []
  const all: Uint8Array[] = []
  const open = new Map<number, { seq: bigint; index: number }[]>()
  for (let now = 1; now <= steps + 400; now++) {
    if (now <= steps) {
      const i = rng.int(0, 4)
      const x = rng.next()
      const price = BigInt(rng.int(95, 106))
      const qty = BigInt(rng.int(1, 30))
      const side = rng.next() < 0.5 ? Side.Buy : Side.Sell
      let op: Op = limit(side, price, qty)
      if (x < 0.25) op = transfer((i + 1 + rng.int(0, 3)) % 4, BigInt(rng.int(1, 2e9)), rng.int(0, 2))
      else if (x < 0.35)
        op = {
          tag: OpTag.Place,
          market: 0,
          side,
          kind: OrderKind.Market,
          tif: 1,
          price: side ? 1n : 1000n,
          qty,
        }
      else if (x < 0.45 && (open.get(i)?.length ?? 0) > 0) {
        const o = open.get(i)!.pop()!
        op = { tag: OpTag.Cancel, orderSeq: o.seq, orderIndex: o.index }
      }
      try {
        const res = reps[i]!.submit(op, now)
        if (op.tag === OpTag.Place && op.kind === OrderKind.Limit) {
          const l = open.get(i) ?? []
          l.push({ seq: res.seq, index: res.index })
          open.set(i, l)
        }
      } catch (e) {
        if (!(e instanceof BatchFullError)) throw e
      }
    }
    for (const [i, r] of reps.entries()) {
      const b = r.tick(now)
      if (!b) continue
      all.push(b)
      for (let j = 0; j < 4; j++) if (j !== i) queue.push({ to: j, bytes: b, at: now + rng.int(0, 6) })
    }
    for (let k = queue.length - 1; k >= 0; k--)
      if (queue[k]!.at <= now) {
        reps[queue[k]!.to]!.receive(queue[k]!.bytes)
        queue.splice(k, 1)
      }
  }
  return all
}

describe('local authoring, rounds and finality', () => {
  it('applies a submitted op at once (pending), seals it in the next round, and it becomes final at commit', () => {
    const [a, b, c, d] = network()
    const res = a!.submit(transfer(1, 5n))
    expect(res.result).toBe(Reject.None)
    expect(a!.state.avail[1 * 2]).toBe(AMOUNT + 5n)
    expect(a!.finalState().avail[1 * 2]).toBe(AMOUNT)
    runToQuiet([a!, b!, c!, d!])
    for (const r of [a!, b!, c!, d!]) {
      expect(r.finalState().avail[1 * 2]).toBe(AMOUNT + 5n)
      expect(root(r)).toBe(root(a!))
      // every block that carries ops is final; nothing is pending
      for (const x of r.order) if (x.block.ops.length > 0) expect(r.isFinal(x)).toBe(true)
    }
  })

  it('a round-r block cites blocks of round r − 1 by at least q authors; one author makes one block per round', () => {
    const reps = network()
    reps[0]!.submit(transfer(1, 1n))
    runToQuiet(reps)
    const r = reps[0]!
    for (const x of r.order) {
      if (x.round === 1) continue
      const below = new Set(x.refs.filter((y) => y.round === x.round - 1).map((y) => y.author))
      expect(below.size).toBeGreaterThanOrEqual(r.q)
    }
    for (let a = 0; a < 4; a++) {
      const rounds = r.order.filter((x) => x.author === a).map((x) => x.round)
      expect(new Set(rounds).size).toBe(rounds.length)
    }
  })

  it('a quiet channel makes no blocks, and stops making them once the last op is final (attack 8)', () => {
    const reps = network()
    expect(runToQuiet(reps)).toHaveLength(0)
    // a burst by three authors, then silence
    for (let k = 0; k < 300; k++) reps[k % 3]!.submit(transfer((k % 3) + 1, 1n), k)
    const blocks = runToQuiet(reps)
    expect(blocks.length).toBeGreaterThan(0)
    for (const r of reps) {
      expect(r.wantsToPropose()).toBe(false)
      let ops = 0
      for (let i = 0; i < r.finalCount; i++) ops += r.order[i]!.block.ops.length
      expect(ops).toBe(300)
    }
    expect(runToQuiet(reps)).toHaveLength(0)
  })

  it('a participant a round ahead with an empty block can still get its next op final (others catch up)', () => {
    const tc3 = makeTestChannel({ participants: 3, label: 'ahead' })
    const g = new DagBuilder(tc3)
    const history = [...g.round(1, [0, 1, 2]), g.block(0, 2, [0, 1, 2]).bytes]
    const reps = [0, 1, 2].map(
      (i) =>
        new Replica(tc3.channel, {
          ignoreForcedQueue: true,
          author: { index: i, sessionKey: tc3.members[i]!.sessionKey },
          deposits: testDeposits(3, 2, AMOUNT),
          leaderWaitMs: 0,
        }),
    )
    for (const r of reps) r.receiveMany(history)
    // participant 0 is at round 2 alone: its next block needs round-2 blocks by q = 3 authors
    reps[0]!.submit(transfer(1, 5n))
    expect(reps[0]!.tick(1)).toBeUndefined()
    runToQuiet(reps, 2)
    for (const r of reps) expect(r.finalState().holdings(1, 0)).toBe(AMOUNT + 5n)
  })

  it('waits for the round’s leader up to leaderWaitMs before advancing without it', () => {
    const reps = network(tc, { leaderWaitMs: 50 }, [0, 2, 3])
    // author 1, round 1's leader, is silent; the others have round 1 blocks
    reps[0]!.submit(transfer(1, 1n))
    for (const r of reps) {
      const b = r === reps[0] ? r.tick(0) : undefined
      if (b) for (const o of reps) if (o !== r) o.receive(b)
    }
    for (const r of reps.slice(1)) {
      const b = r.tick(0)
      for (const o of reps) if (o !== r && b) o.receive(b)
    }
    expect(reps[0]!.dag.quorumRound).toBe(1)
    expect(reps[0]!.proposalRound(10)).toBeUndefined()
    expect(reps[0]!.proposalRound(40)).toBeUndefined()
    expect(reps[0]!.proposalRound(61)).toBe(2)
  })

  it('refuses an op the codec cannot encode before it enters the batch (a 27-digit price)', () => {
    const [a, b, c, d] = network()
    expect(() => a!.submit(limit(Side.Sell, 10n ** 27n, 1n))).toThrow(InvalidOpError)
    expect(a!.pendingOps).toBe(0)
    a!.submit(transfer(1, 3n))
    runToQuiet([a!, b!, c!, d!])
    expect(b!.finalState().avail[1 * 2]).toBe(AMOUNT + 3n)
  })

  it('applies backpressure when the batch is full and the next round is not open', () => {
    const [a] = network(tc, { maxBatchOps: 3 })
    a!.submit(transfer(1, 1n))
    expect(a!.tick(0)).toBeDefined() // round 1 needs nobody
    for (let k = 0; k < 3; k++) a!.submit(transfer(1, 1n))
    expect(() => a!.submit(transfer(1, 1n))).toThrow(BatchFullError)
    expect(a!.pendingOps).toBe(3)
  })
})

describe('canonical order and the fold (THREATS row 14)', () => {
  it('random delivery orders and batchings of the same blocks give the same final order and state root', () => {
    const histories = [1, 2, 3].map((s) => randomHistory(s, 80))
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 30 }), { minLength: 600, maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
        (h, keys, chunks) => {
          const blocks = histories[h]!
          const reference = observer()
          reference.receiveMany(blocks)
          const shuffled = blocks
            .map((b, i) => ({ b, k: keys[i % keys.length]! + i }))
            .sort((x, y) => x.k - y.k)
          const r = observer({ snapshotInterval: 3 })
          const finalSeen: string[] = []
          let i = 0
          let c = 0
          while (i < shuffled.length) {
            const size = chunks[c++ % chunks.length]!
            r.receiveMany(shuffled.slice(i, i + size).map((x) => x.b))
            i += size
            // the final prefix only ever grows: what was final stays where it was
            const now = r.finalIds()
            expect(now.slice(0, finalSeen.length)).toEqual(finalSeen)
            finalSeen.push(...now.slice(finalSeen.length))
          }
          expect(r.order.map((n) => n.hex)).toEqual(reference.order.map((n) => n.hex))
          expect(r.finalCount).toBe(reference.finalCount)
          expect(root(r)).toBe(root(reference))
          expect(toHex(r.stateRoot())).toBe(toHex(reference.stateRoot()))
        },
      ),
      { numRuns: 8 },
    )
  })

  it('conserves every token and never lets a balance go negative', () => {
    for (const seed of [4, 5]) {
      const r = observer()
      r.receiveMany(randomHistory(seed, 80))
      for (const s of [r.state, r.finalState()]) {
        for (let t = 0; t < 2; t++) {
          let total = 0n
          for (let p = 0; p < 4; p++) total += s.holdings(p, t)
          expect(total).toBe(4n * AMOUNT)
        }
        for (const bucket of [s.avail, s.locked, s.reserved, s.pendingWithdrawal])
          for (const x of bucket) expect(x >= 0n).toBe(true)
      }
    }
  })
})

describe('deposits: chain data enters the fold through attestations (attack 4)', () => {
  const record = { depositIndex: 0n, participant: 2, token: 1, amount: 777n }
  const attest = (over: Partial<typeof record> = {}): Op => ({ tag: OpTag.Deposit, ...record, ...over })

  it('credits a record once q participants attested the same content, at one final position everywhere', () => {
    const reps = network(tc, { deposits: [] } as ReplicaOptions)
    reps[0]!.submit(attest())
    reps[1]!.submit(attest())
    runToQuiet(reps)
    expect(reps[3]!.finalState().holdings(2, 1)).toBe(0n)
    reps[3]!.submit(attest())
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.finalState().holdings(2, 1)).toBe(777n)
      expect(r.finalState().depositCount).toBe(1n)
    }
    // a fourth attestation of a credited record changes nothing
    reps[2]!.submit(attest())
    runToQuiet(reps)
    expect(reps[0]!.finalState().holdings(2, 1)).toBe(777n)
  })

  it('a made-up record attested by fewer than q is never credited and stalls nothing', () => {
    const reps = network(tc, { deposits: [] } as ReplicaOptions)
    // participant 3 (Byzantine) attests a deposit that does not exist; one honest attests a forged amount
    reps[3]!.submit(attest({ amount: 10n ** 30n }))
    reps[0]!.submit(attest({ amount: 10n ** 30n, depositIndex: 5n }))
    reps[1]!.submit(transfer(0, 0n))
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.finalState().depositCount).toBe(0n)
      for (let p = 0; p < 4; p++) expect(r.finalState().holdings(p, 1)).toBe(0n)
      expect(r.wantsToPropose()).toBe(false)
    }
    // the real record, attested by the honest three, is credited at once; the forged content never wins
    for (const r of reps.slice(0, 3)) r.submit(attest())
    runToQuiet(reps)
    for (const r of reps) expect(r.finalState().holdings(2, 1)).toBe(777n)
  })

  it('refuses a second attestation by one participant and attestations far ahead of the next record', () => {
    const s = new ChannelState(tc.channel)
    const ctx = { author: 0, seq: 1n, index: 0, height: 1, block: '', time: 0n }
    expect(s.apply(attest(), ctx)).toBe(Reject.None)
    expect(s.apply(attest(), ctx)).toBe(Reject.DepositAlreadyAttested)
    expect(s.apply(attest({ depositIndex: 1n << 40n }), ctx)).toBe(Reject.UnknownDeposit)
  })
})

describe('checkpoints derived from commits (attacks 1, 2, 5)', () => {
  it('every honest replica computes the same checkpoint and signs it on its own; q signatures certify it', () => {
    const reps = network()
    reps[0]!.submit(transfer(1, 9n))
    runToQuiet(reps)
    reps[1]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    const cps = reps.map((r) => r.heldCheckpoints())
    for (const c of cps) {
      expect(c).toHaveLength(1)
      expect(c[0]!.digest).toBe(cps[0]![0]!.digest)
      expect(c[0]!.signatures.size).toBe(4)
    }
    expect(reps[2]!.latestCertified()?.version).toBe(1n)
    expect(reps[2]!.latestFullySigned()?.version).toBe(1n)
    // the state it commits to holds the transfer
    expect(reps[3]!.stateOfCheckpoint(1n).holdings(1, 0)).toBe(AMOUNT + 9n)
  })

  it('a silent participant stalls neither finality nor checkpoints (n = 4, q = 3)', () => {
    const reps = network(tc, {}, [0, 1, 2])
    reps[0]!.submit(transfer(3, 4n))
    reps[0]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.finalState().holdings(3, 0)).toBe(AMOUNT + 4n)
      expect(r.latestCertified()?.signatures.size).toBe(3)
    }
  })

  it('a conflicting checkpoint signature neither reorders the final prefix nor splits the replicas; it is evidence', () => {
    const reps = network()
    reps[0]!.submit(limit(Side.Sell, 100n, 5n))
    reps[1]!.submit(limit(Side.Buy, 100n, 5n))
    reps[2]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    const finalBefore = reps[0]!.finalIds()
    const trades = reps[0]!.finalState().tradeCount
    expect(trades).toBe(1)
    // participant 3 signs a second, different checkpoint at version 1 (a cut leaving the fill out)
    const honest = reps[3]!.checkpoint(1n)!
    const wrong = {
      ...honest,
      stateRoot: keccak256(new Uint8Array([1])),
      leader: keccak256(new Uint8Array([2])),
    }
    const signature = signDigest(
      checkpointDigest(tc.channel.domainSeparator, tc.channel.channelId, wrong),
      tc.members[3]!.sessionKey,
    )
    reps[3]!.submit({ tag: OpTag.Checkpoint, ...wrong, signature })
    runToQuiet(reps)
    for (const r of reps) {
      expect(r.finalIds().slice(0, finalBefore.length)).toEqual(finalBefore)
      expect(r.finalState().tradeCount).toBe(1)
      expect(r.checkpoint(1n)!.digest).toBe(honest.digest)
      expect(r.checkpoint(1n)!.signatures.size).toBe(4)
      expect(r.checkpointConflicts.map((c) => [c.author, c.version])).toContainEqual([3, 1n])
      expect(root(r)).toBe(root(reps[0]!))
    }
    // both signatures are in the evidence: the contract can slash two digests at one version
    const ev = reps[0]!.checkpointConflicts.find((c) => c.author === 3 && c.b)!
    expect(ev.a.checkpoint.stateRoot).not.toEqual(ev.b!.checkpoint.stateRoot)
  })

  it('a replica that catches up on many checkpoints signs only the newest, one signature per block', () => {
    const [a, b, c, d] = network() as [Replica, Replica, Replica, Replica]
    const online = [b, c, d]
    for (let k = 0; k < 8; k++) {
      b.submit({ tag: OpTag.CheckpointRequest })
      runToQuiet(online, k * 10)
    }
    expect(Number(b.latestCheckpointVersion)).toBeGreaterThanOrEqual(6)
    a.receiveMany(b.blocksInOrder())
    expect(a.latestCheckpointVersion).toBe(b.latestCheckpointVersion)
    a.submit(transfer(1, 1n))
    const sealed = a.tick(10_000)!
    const ops = decodeBlock(sealed).ops
    expect(ops.filter((x) => x.tag === OpTag.Checkpoint)).toHaveLength(1)
    expect(ops.find((x) => x.tag === OpTag.Checkpoint)).toMatchObject({
      version: a.latestCheckpointVersion,
    })
    for (const r of online) expect(r.receive(sealed).status).toBe('accepted')
    runToQuiet([a, b, c, d], 20_000)
    expect(b.heldCheckpoints().at(-1)!.signatures.size).toBe(4)
  })

  it('keeps a slot for the automatic signature: a fourth checkpoint op in one batch is refused', () => {
    const [a] = network() as [Replica]
    const cp = {
      version: 9n,
      leader: ZERO32,
      time: 0n,
      depositCount: 0n,
      forcedCount: 0n,
      stateRoot: ZERO32,
      balancesRoot: ZERO32,
    }
    for (let k = 0; k < MAX_CHECKPOINT_OPS_PER_BLOCK - 1; k++)
      a.submit({ tag: OpTag.Checkpoint, ...cp, version: BigInt(k + 1), signature: new Uint8Array(65) })
    expect(() => a.submit({ tag: OpTag.Checkpoint, ...cp, signature: new Uint8Array(65) })).toThrow(
      InvalidOpError,
    )
  })

  it('keeps a bounded number of signed checkpoints per key, whatever versions a Byzantine key signs (attack 7)', () => {
    const reps = network()
    const [a, , , d] = reps as [Replica, Replica, Replica, Replica]
    const cp = {
      version: 1n,
      leader: ZERO32,
      time: 0n,
      depositCount: 0n,
      forcedCount: 0n,
      stateRoot: ZERO32,
      balancesRoot: ZERO32,
    }
    // 3 signatures a block, 120 blocks: 360 versions far in the future, each validly signed by d
    for (let k = 0; k < 120; k++) {
      for (let j = 0; j < 3; j++) {
        const version = BigInt(1000 + k * 3 + j)
        const signature = signDigest(
          checkpointDigest(tc.channel.domainSeparator, tc.channel.channelId, { ...cp, version }),
          tc.members[3]!.sessionKey,
        )
        d.submit({ tag: OpTag.Checkpoint, ...cp, version, signature })
      }
      runToQuiet(reps, k * 10)
    }
    const seen = a.checkpointer.seenSignatures
    expect([...seen.keys()].filter((k) => k.startsWith('3:')).length).toBeLessThanOrEqual(256)
    expect(root(a)).toBe(root(d))
  })

  it('refuses a block carrying more checkpoint signatures than the limit before any signature check (attack 7)', () => {
    const reps = network()
    reps[0]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    const cp = reps[0]!.checkpoint(1n)!
    const op: Op = { tag: OpTag.Checkpoint, ...cp, signature: new Uint8Array(65) }
    const many = Array.from({ length: MAX_CHECKPOINT_OPS_PER_BLOCK + 1 }, () => op)
    const latest = reps[3]!.latest[3]!
    const b = createBlock({
      channelId: tc.channel.channelId,
      author: fromHex(tc.members[3]!.address),
      seq: BigInt(latest.seq + 1),
      round: BigInt(reps[0]!.dag.maxRound + 1),
      time: 0n,
      prev: latest.id,
      parents: [],
      ops: many,
      sessionKey: tc.members[3]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(reps[0]!.receive(b.bytes)).toMatchObject({ status: 'rejected', reason: 'malformed' })
    expect(reps[0]!.checkpointConflicts).toHaveLength(0)
  })
})

describe('equivocation (THREATS row 4; attacks 3, 6, 9)', () => {
  /** Author 3 signs two different blocks for its next round, each reaching two of the others first. */
  function forkedRun(ops: [Op[], Op[]]) {
    const reps = network()
    const [a, b, c, d] = reps as [Replica, Replica, Replica, Replica]
    a.submit(transfer(1, 1n))
    runToQuiet(reps)
    const d1 = d.tick(1000)
    expect(d1).toBeUndefined()
    // d seals a block, then signs a twin at the same seq and round with other ops
    for (const op of ops[0]) d.submit(op)
    a.submit(transfer(2, 1n))
    const ab = a.tick(1001)!
    for (const r of [b, c, d]) r.receive(ab)
    const first = d.tick(1002)!
    const blk = decodeBlock(first)
    const twin = createBlock({
      channelId: tc.channel.channelId,
      author: blk.author,
      seq: blk.seq,
      round: blk.round,
      time: blk.time + 1n,
      prev: blk.prev,
      parents: blk.parents,
      ops: ops[1],
      sessionKey: tc.members[3]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    a.receive(first)
    b.receive(twin.bytes)
    c.receive(first)
    // everyone gets everything
    for (const r of reps) r.receiveMany([first, twin.bytes])
    runToQuiet(reps)
    return { reps, first, twin: twin.bytes }
  }

  it('records evidence, agrees on the equivocator, and a fresh replay of every block gives the same root', () => {
    const { reps } = forkedRun([[transfer(0, 100n)], [transfer(1, 100n)]])
    for (const r of reps) {
      expect(r.equivocators()).toEqual([3])
      expect(root(r)).toBe(root(reps[0]!))
    }
    const ev = reps[0]!.equivocations[0]!
    expect(ev.a.id).not.toBe(ev.b.id)
    expect(ev.a.header.seq).toBe(ev.b.header.seq)
    expect(ev.a.header.round).toBe(ev.b.header.round)
    const fresh = observer()
    fresh.receiveMany(reps[0]!.blocksInOrder())
    expect(root(fresh)).toBe(root(reps[0]!))
    expect(fresh.finalIds()).toEqual(reps[0]!.finalIds())
  })

  it('both branches placing an order under one (seq, index): at most one applies and stays cancellable', () => {
    const { reps } = forkedRun([[limit(Side.Sell, 100n, 7n)], [limit(Side.Sell, 101n, 9n)]])
    const r = reps[0]!
    const resting = [...r.finalState().books[0]!.orders()].filter((o) => o.owner === 3)
    const keys = resting.map((o) => o.key)
    expect(new Set(keys).size).toBe(keys.length)
    expect(resting.length).toBeLessThanOrEqual(1)
    // whatever stands reserves exactly its order; nothing is stuck in reservations
    const reservedBase = r.finalState().reserved[3 * 2 + 0]!
    expect(reservedBase).toBe(resting.reduce((s, o) => s + o.reserved, 0n))
    for (const x of reps) expect(root(x)).toBe(root(r))
  })

  it('an honest author is never wedged by hundreds of sibling forks: parents stay within the limit', () => {
    const reps = network()
    const [a, b, c, d] = reps as [Replica, Replica, Replica, Replica]
    a.submit(transfer(1, 1n))
    runToQuiet(reps)
    // d signs 300 versions of its next block and sends them all to a
    d.submit(transfer(0, 1n))
    a.submit(transfer(2, 1n))
    const ab = a.tick(2000)!
    for (const r of [b, c, d]) r.receive(ab)
    const base = decodeBlock(d.tick(2001)!)
    const forks: Uint8Array[] = []
    for (let k = 0; k < 300; k++)
      forks.push(
        createBlock({
          channelId: tc.channel.channelId,
          author: base.author,
          seq: base.seq,
          round: base.round,
          time: BigInt(k),
          prev: base.prev,
          parents: base.parents,
          ops: [transfer(0, 1n)],
          sessionKey: tc.members[3]!.sessionKey,
          domainSeparator: tc.channel.domainSeparator,
        }).bytes,
      )
    // honest peers relay what they accept: everyone ends up holding every fork
    for (const r of [a, b, c]) r.receiveMany([...forks, ab])
    expect(a.equivocators()).toEqual([3])
    a.submit(transfer(2, 5n))
    runToQuiet([a, b, c])
    const own = a.latest[0]!
    expect(own.block.parents.length).toBeLessThanOrEqual(MAX_PARENTS)
    // one reference per slot: a single one of the 300 forks is cited
    const cited = a.order.filter((x) => x.author === 3 && x.round === Number(base.round))
    expect(own.refs.filter((x) => cited.includes(x)).length).toBeLessThanOrEqual(1)
    expect(a.finalState().holdings(2, 0)).toBe(AMOUNT + 6n)
  })
})

describe('cost of attack blocks (attack 7)', () => {
  it('a late block below the pending tail never replays the final prefix', () => {
    const reps = network()
    for (let k = 0; k < 200; k++) {
      reps[k % 4]!.submit(transfer((k + 1) % 4, 1n), k)
      if (k % 10 === 9) runToQuiet(reps, k)
    }
    const r = reps[0]!
    const final = r.finalCount
    expect(final).toBeGreaterThan(8)
    const results = r.order.slice(0, final).map((x) => x.results.join())
    // a stale fork by author 3 at round 1 (the lowest possible round) arrives now
    const first = r.order.find((x) => x.author === 3 && x.round === 1)!
    const stale = createBlock({
      channelId: tc.channel.channelId,
      author: first.block.author,
      seq: 1n,
      round: 1n,
      time: 99n,
      prev: ZERO32,
      parents: [],
      ops: [transfer(0, 1n)],
      sessionKey: tc.members[3]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    const apply = vi.spyOn(ChannelState.prototype, 'apply')
    r.receive(stale.bytes)
    // only the pending tail (the stale block and what follows it) is folded again
    expect(apply.mock.calls.length).toBeLessThan(20)
    apply.mockRestore()
    expect(r.order.slice(0, final).map((x) => x.results.join())).toEqual(results)
  })

  it('a flood of blocks with made-up parents only displaces the flooder’s own buffered blocks', () => {
    const r = observer({ bufferPerAuthor: 8 })
    const reps = network()
    reps[0]!.submit(transfer(1, 1n))
    const blocks = runToQuiet(reps)
    // an honest block whose ancestor has not arrived yet waits in the buffer
    const honestLate = blocks[blocks.length - 1]!
    expect(r.receive(honestLate).status).toBe('buffered')
    for (let k = 0; k < 100; k++) {
      const liar = createBlock({
        channelId: tc.channel.channelId,
        author: fromHex(tc.members[3]!.address),
        seq: 2n,
        round: 2n,
        time: BigInt(k),
        prev: keccak256(new Uint8Array([k])),
        parents: [keccak256(new Uint8Array([k, 1]))],
        ops: [],
        sessionKey: tc.members[3]!.sessionKey,
        domainSeparator: tc.channel.domainSeparator,
      })
      r.receive(liar.bytes)
    }
    expect(r.bufferedCount).toBeLessThanOrEqual(8 + 1)
    r.receiveMany(blocks)
    expect(root(r)).toBe(root(reps[0]!))
    expect(r.finalCount).toBe(reps[0]!.finalCount)
  })
})

describe('ingress rejection rules (THREATS rows 2, 3, 5, 6, 8)', () => {
  const reps = network()
  reps[0]!.submit(transfer(1, 1n))
  const b1 = reps[0]!.tick(0)!

  it('accepts a valid block once and deduplicates by id', () => {
    const r = observer()
    expect(r.receive(b1).status).toBe('accepted')
    expect(r.receive(b1).status).toBe('duplicate')
    expect(r.receive(encodeBlock(decodeBlock(b1))).status).toBe('duplicate')
  })

  it('refuses garbage, truncation, oversize, forged and replayed blocks with no state change', () => {
    const r = observer()
    expect(r.receive(new Uint8Array([2, 2, 3]))).toMatchObject({ reason: 'malformed' })
    expect(r.receive(b1.slice(0, b1.length - 1))).toMatchObject({ reason: 'malformed' })
    expect(r.receive(new Uint8Array(300 * 1024))).toMatchObject({ reason: 'oversize' })
    const blk = decodeBlock(b1)
    const forged = createBlock({
      ...blk,
      sessionKey: tc.members[1]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(r.receive(forged.bytes)).toMatchObject({ reason: 'bad-signature' })
    const other = makeTestChannel({ participants: 4, label: 'replica', nonce: 9n })
    const replayed = createBlock({
      ...blk,
      channelId: other.channel.channelId,
      sessionKey: tc.members[0]!.sessionKey,
      domainSeparator: other.channel.domainSeparator,
    })
    expect(r.receive(replayed.bytes)).toMatchObject({ reason: 'wrong-channel' })
    const outsider = makeTestChannel({ participants: 5, label: 'outsider' })
    const stranger = createBlock({
      ...blk,
      author: fromHex(outsider.members[4]!.address),
      sessionKey: outsider.members[4]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(r.receive(stranger.bytes)).toMatchObject({ reason: 'not-participant' })
    expect(r.order).toHaveLength(0)
    expect(root(r)).toBe(root(observer()))
  })

  it('refuses a prev that is another author’s block or skips a seq', () => {
    const r = observer()
    r.receive(b1)
    const blk = decodeBlock(b1)
    const theirs = createBlock({
      ...blk,
      author: fromHex(tc.members[1]!.address),
      seq: 2n,
      round: 2n,
      prev: fromHex(toHex(keccak256(b1)).slice(0, 66)),
      sessionKey: tc.members[1]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(r.receive(theirs.bytes).status).toBe('buffered')
    const id1 = r.order[0]!.id
    const badPrev = createBlock({
      ...blk,
      author: fromHex(tc.members[1]!.address),
      seq: 2n,
      round: 2n,
      prev: id1,
      sessionKey: tc.members[1]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(r.receive(badPrev.bytes)).toMatchObject({ reason: 'bad-prev' })
  })
})
