import { describe, expect, it } from 'vitest'
import { blockId, decodeBlock } from '../block.ts'
import { fromHex, type Hex, toHex } from '../bytes.ts'
import { OpTag } from '../ops.ts'
import { Replica } from '../replica.ts'
import { signDigest } from '../signature.ts'
import { Rng } from '../sim/rng.ts'
import { decodeBase, encodeBase, fromRanges, type PrunedBase, toRanges } from './base.ts'
import type { PrunedRef } from './frontier.ts'
import { lateBlockScenario } from './lateBlock.fixture.ts'
import { restoreOffered } from './offeredBase.ts'
import { pruneTraffic } from './pruneTraffic.fixture.ts'
import { encodeState, restoreAtCheckpoint } from './stateCodec.ts'
import { type StubSeal, sealedId, sealOf } from './stubSeal.ts'

/**
 * A Byzantine peer holding a genuinely certified checkpoint offers a base whose certified part is genuine and whose
 * other parts are altered, one field class at a time (src/core/CONTEXT.md, "Rejoin after everyone pruned"). Each
 * forgery must be refused, or be harmless: the joiner, fed the same tail as honest replicas, ends with their state
 * root and their checkpoints.
 */
const P = 4
const kit = pruneTraffic(P, 'offered-trust')
const { channel, members, options, traffic, network } = kit

/** Every replica prunes at the same certified checkpoint; then the channel goes on: the tail a peer holds. */
function scenario() {
  const reps = network()
  const rng = new Rng(31)
  const clock = { now: 0 }
  traffic(reps, rng, 400, clock)
  reps[0]!.submit({ tag: OpTag.CheckpointRequest })
  traffic(reps, rng, 20, clock)
  const bases = reps.map((r) => r.prune()!)
  expect(bases.every((b) => b !== undefined && b.version === bases[0]!.version)).toBe(true)
  // the tail: funding epochs pass (perp ops read the clock), every author writes
  clock.now += 3_600_000
  traffic(reps, rng, 300, clock)
  const base = bases[0]!
  return { reps, base, tail: reps[1]!.blocksInOrder() }
}

const { reps, base, tail } = scenario()
const honestRoot = toHex(reps[1]!.stateRoot())
/** checkpoints computed from the tail (past the base), as `version:digest` */
const after = (r: Replica) =>
  r
    .heldCheckpoints()
    .filter((c) => c.version > base.version)
    .map((c) => `${c.version}:${c.digest}`)
    .join()
const honestAfter = after(reps[1]!)

/** The verdict on `forged` and, when taken, whether the joiner then holds the honest root and checkpoints. */
function offer(forged: PrunedBase): { ok: boolean; reason?: string; harmless?: boolean } {
  const { author: _, ...joiner } = options(0)
  const make = () => new Replica(channel, joiner)
  const v = restoreOffered(channel, make, encodeBase(forged))
  if (!v.ok) return { ok: false, reason: v.reason }
  v.replica.receiveMany(tail)
  v.replica.finalState()
  return {
    ok: true,
    harmless: toHex(v.replica.stateRoot()) === honestRoot && after(v.replica) === honestAfter,
  }
}

const copy = () => decodeBase(encodeBase(base))
const cp = () => base.checkpoints.find((c) => c.version === base.version)!

/** The base with its state decoded, changed by `edit` and encoded again (the codec accepts it). */
function withState(edit: (s: ReturnType<typeof restoreAtCheckpoint>) => void): PrunedBase {
  const b = copy()
  const s = restoreAtCheckpoint(channel, b.state, cp(), cp().windowRoot!)
  edit(s)
  b.state = encodeState(s)
  return b
}

describe('a peer’s base whose certified part is genuine and the rest altered (issue #8)', () => {
  it('the honest base is taken and the joiner reaches the honest root after the tail', () => {
    expect(tail.length).toBeGreaterThan(10)
    const v = offer(copy())
    expect(v).toEqual({ ok: true, harmless: true })
  })

  it('refuses orders’ placement counters the checkpoint did not see (the state root covers them)', () => {
    const b = withState((s) => {
      const o = s.books.flatMap((book) => [...book.orders()])
      expect(o.length).toBeGreaterThan(1)
      o[0]!.placedAt += 1_000
      s.placed += 1_000
    })
    expect(offer(b).ok).toBe(false)
  })

  it('refuses a funding history the checkpoint did not see (the state root covers it)', () => {
    const b = withState((s) => {
      const m = s.perps!.perpMarkets[0]!
      const history = s.perps!.fundingHistory[m]!
      s.perps!.fundingHistory[m] = [
        ...history,
        { epoch: 1n, intervals: 1n, rate: 5n, cum: 5n, mark: 100n, index: 100n, openInterest: 7n, paid: 35n },
      ]
    })
    expect(offer(b).ok).toBe(false)
  })

  it('refuses a channel clock or a checkpoint schedule other than the certified checkpoint’s', () => {
    const forgeries: ((b: PrunedBase) => void)[] = [
      (b) => {
        b.clock += 3_600_000n
      },
      (b) => {
        b.lastCheckpointTime -= 1_000_000n
      },
      (b) => {
        b.opsSinceCheckpoint = 5
      },
      (b) => {
        b.checkpointRequested = true
      },
    ]
    for (const forge of forgeries) {
      const b = copy()
      forge(b)
      const v = offer(b)
      expect(v.ok === false || v.harmless === true, `${forge}`).toBe(true)
    }
  })

  it('refuses a commit-rule position other than the certified leader’s round + 1, or no certified leader header', () => {
    for (const delta of [3, -1]) {
      const b = copy()
      b.nextRound += delta
      const v = offer(b)
      expect(v.ok === false || v.harmless === true, `nextRound ${delta}`).toBe(true)
    }
    const b = copy()
    delete b.leaderHeader
    expect(offer(b).ok).toBe(false)
    const c = copy()
    c.leaderHeader!.opsHash = new Uint8Array(32)
    expect(offer(c).ok).toBe(false)
  })

  it('refuses an honest author marked as proven to fork, or a proven equivocator left out (the state holds who is)', () => {
    const b = copy()
    expect(b.proven.every((x) => !x)).toBe(true)
    b.proven[2] = true
    b.equivocators = [2]
    const v = offer(b)
    expect(v.ok === false || v.harmless === true).toBe(true)
  })

  it('refuses committed seqs or rounds the frontier does not hold (a made-up one voids an honest author’s tail)', () => {
    const forgeries: ((b: PrunedBase) => void)[] = [
      (b) => {
        const seqs = b.committedSeqs[2]!
        const top = seqs[seqs.length - 1]![1]
        seqs.push([top + 1, top + 200])
      },
      (b) => {
        const rounds = b.committedRounds[2]!
        const top = rounds[rounds.length - 1]![1]
        rounds.push([top + 1, top + 200])
      },
      (b) => {
        b.committedSeqs[1] = b.committedSeqs[1]!.slice(0, -1)
      },
    ]
    for (const forge of forgeries) {
      const b = copy()
      forge(b)
      const v = offer(b)
      expect(v.ok === false || v.harmless === true, `${forge}`).toBe(true)
    }
  })

  /** A stub for author 2's next seq after its top stub, with the committed lists to match (none of it real). */
  function madeUpStub(b: PrunedBase, seal?: (ref: PrunedRef) => StubSeal): PrunedRef {
    const mine = b.frontier.filter((r) => r.author === 2 && !r.expired)
    const top = mine.reduce((x, r) => (r.seq > x.seq ? r : x))
    // no higher than the leader's round (a final stub above it is refused on that alone: the next test)
    const round = Math.min(top.round + 1, b.nextRound - 1)
    const ref: PrunedRef = { ...top, id: `0x${'ab'.repeat(32)}`, seq: top.seq + 1, round }
    delete ref.seal
    if (seal) {
      ref.seal = seal(ref)
      ref.id = toHex(sealedId(channel, ref, ref.seal))
    }
    b.frontier.push(ref)
    b.committedSeqs[2]!.push([top.seq + 1, top.seq + 1])
    b.committedRounds[2]!.push([round, round])
    b.committedSeqs[2] = toRanges(fromRanges(b.committedSeqs[2]!))
    b.committedRounds[2] = toRanges(fromRanges(b.committedRounds[2]!))
    return ref
  }
  const header = (prev: Hex) => ({
    prev: fromHex(prev, 32),
    parentsHash: new Uint8Array(32).fill(7),
    opsHash: new Uint8Array(32).fill(9),
  })

  it('refuses a stub its author did not sign (a made-up one would make the author’s real next block a fork)', () => {
    const prevOf = (b: PrunedBase) =>
      b.frontier.filter((r) => r.author === 2 && !r.expired).reduce((x, r) => (r.seq > x.seq ? r : x)).id
    const forgeries: [string, (b: PrunedBase) => void][] = [
      ['no seal', (b) => madeUpStub(b)],
      [
        // a header that hashes to the stub's id, signed by the Byzantine participant 3 for author 2
        'signed by another participant',
        (b) => {
          const prev = prevOf(b)
          madeUpStub(b, (ref) => {
            const h = header(prev)
            return { ...h, signature: signDigest(sealedId(channel, ref, h), members[3]!.sessionKey) }
          })
        },
      ],
      [
        // author 2's genuine signature, lifted from one of its real stubs
        'a signature of another block',
        (b) => {
          const prev = prevOf(b)
          const real = b.frontier.find((r) => r.author === 2 && r.seal)!.seal!
          madeUpStub(b, () => ({ ...header(prev), signature: real.signature }))
        },
      ],
      [
        'a real stub with one header field changed',
        (b) => {
          const ref = b.frontier.find((r) => r.author === 1 && r.seal)!
          ref.seal = { ...ref.seal!, opsHash: new Uint8Array(32).fill(1) }
        },
      ],
      [
        'a real stub without its seal',
        (b) => {
          delete b.frontier.find((r) => r.author === 0 && r.seal)!.seal
        },
      ],
    ]
    for (const [name, forge] of forgeries) {
      const b = copy()
      forge(b)
      const v = offer(b)
      expect(v.ok, name).toBe(false)
      expect(v.reason, name).toMatch(/^stub 0x/)
    }
  })

  it('refuses a real block above the certified leader’s round offered as a final stub', () => {
    const b = copy()
    const leaderRound = b.nextRound - 1
    const later = tail.map((x) => decodeBlock(x)).find((x) => Number(x.round) > leaderRound + 1)!
    const author = channel.config.participants.findIndex((p) =>
      fromHex(p.address, 20).every((v, i) => v === later.author[i]),
    )
    const ref: PrunedRef = {
      id: toHex(blockId(later, channel.domainSeparator)),
      author,
      seq: Number(later.seq),
      round: Number(later.round),
      time: later.time,
      seal: sealOf(later),
    }
    b.frontier.push(ref)
    b.committedSeqs[author] = toRanges([...fromRanges(b.committedSeqs[author]!), ref.seq])
    b.committedRounds[author] = toRanges([...fromRanges(b.committedRounds[author]!), ref.round])
    expect(offer(b)).toMatchObject({ ok: false, reason: 'a final stub above the leader’s round' })
  })
})

/**
 * Which real, signed blocks were final at the certified leader (finalWindow.ts): the checkpoint commits to the final
 * blocks of rounds ≥ its leader's round − 2D beside the state, so a base whose final stubs of those rounds are not
 * exactly that set is refused. Each of these was taken before; the late block, the stub left out and the fork then
 * diverged the joiner from the honest root (a final stub flagged expired did not here: stubs carry no ops).
 */
describe('a peer’s base that lies about which real blocks were final (the final window)', () => {
  const leaderRound = base.nextRound - 1
  /** the committed lists as the frontier's non-expired stubs have them (what committedProblem asks for) */
  const recount = (b: PrunedBase) => {
    for (let a = 0; a < P; a++) {
      const mine = b.frontier.filter((r) => r.author === a && !r.expired)
      b.committedSeqs[a] = toRanges(mine.map((r) => r.seq))
      b.committedRounds[a] = toRanges(mine.map((r) => r.round))
    }
  }
  /** final stubs near the leader, highest round first: the tail cites them */
  const finalStubs = (b: PrunedBase) =>
    b.frontier
      .filter((r) => !r.expired && r.id !== toHex(cp().leader) && r.round >= leaderRound - 3)
      .sort((x, y) => y.round - x.round)

  it('refuses a real block below the leader’s round that the leader had not made final (a late one), offered as final', () => {
    // participant 3 seals X, which reaches nobody while 0–2 trade on and prune past its round; then X arrives and
    // the tail commits it: honest replicas apply its ops there, a joiner told X was final before never would
    const { net, honest: late, xRef } = lateBlockScenario(kit)
    const b = decodeBase(encodeBase(late))
    b.frontier.push(xRef)
    recount(b)
    const { author: _, ...joiner } = options(0)
    const v = restoreOffered(channel, () => new Replica(channel, joiner), encodeBase(b))
    if (v.ok) {
      // taken: the joiner, fed the tail, skips X's ops and leaves the honest state
      v.replica.receiveMany(net[1]!.blocksInOrder())
      expect(toHex(v.replica.stateRoot())).toBe(toHex(net[1]!.stateRoot()))
    }
    expect(v.ok).toBe(false)
    expect(v.ok || v.reason).toMatch(/final window/)
  })

  it('refuses a base that leaves a final stub out', () => {
    const b = copy()
    const gone = finalStubs(b)[0]!
    b.frontier = b.frontier.filter((r) => r.id !== gone.id)
    b.heads = b.heads.filter((h) => h !== gone.id)
    recount(b)
    const v = offer(b)
    expect(v.ok).toBe(false)
    expect(v.reason).toMatch(/final window/)
  })

  it('refuses a final stub flagged expired (taken as never final)', () => {
    const b = copy()
    const stub = finalStubs(b)[0]!
    stub.expired = true
    recount(b)
    const v = offer(b)
    expect(v.ok).toBe(false)
    expect(v.reason).toMatch(/final window/)
  })

  it('refuses a Byzantine author’s own fork of a final block offered in its place (signed by its real key)', () => {
    const b = copy()
    const real = finalStubs(b).find((r) => r.author === 3)!
    const twin: PrunedRef = { ...real }
    const h = { ...real.seal!, opsHash: new Uint8Array(32).fill(5) }
    twin.seal = { ...h, signature: signDigest(sealedId(channel, twin, h), members[3]!.sessionKey) }
    twin.id = toHex(sealedId(channel, twin, h))
    b.frontier = b.frontier.map((r) => (r.id === real.id ? twin : r))
    b.heads = b.heads.map((x) => (x === real.id ? twin.id : x))
    const v = offer(b)
    expect(v.ok).toBe(false)
    expect(v.reason).toMatch(/final window/)
  })
})
