import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { type Op, OpTag, Side } from './ops.ts'
import { Reject } from './reasons.ts'
import { AMOUNT, limit, network, observer, randomHistory, root, tc, transfer } from './replica.fixture.ts'
import { BatchFullError, InvalidOpError, Replica, type ReplicaOptions } from './replica.ts'
import { ChannelState } from './state.ts'
import { DagBuilder, makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

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
