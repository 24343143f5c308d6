import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Block, createBlock, decodeBlock, encodeBlock } from './block.ts'
import { fromHex, toHex, ZERO32 } from './bytes.ts'
import { domainSeparator } from './eip712.ts'
import { keccak256 } from './hash.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from './ops.ts'
import { Reject } from './reasons.ts'
import { Replica } from './replica.ts'
import { signDigest } from './signature.ts'
import { makeTestChannel, type TestChannel, testDeposits } from './testing.ts'

const AMOUNT = 1_000_000_000n
const tc = makeTestChannel({ participants: 3, label: 'replica' })
const deposits = testDeposits(3, 2, AMOUNT)

/** Hand-built blocks for author `a` of a test channel: full control over seq, prev and parents. */
function block(
  ch: TestChannel,
  a: number,
  seq: bigint,
  prev: Uint8Array,
  parents: Uint8Array[],
  ops: Op[],
  opts: { sessionKey?: Uint8Array; domainSeparator?: Uint8Array } = {},
) {
  return createBlock({
    channelId: ch.channel.channelId,
    author: fromHex(ch.members[a]!.address),
    seq,
    prev,
    parents,
    ops,
    sessionKey: opts.sessionKey ?? ch.members[a]!.sessionKey,
    domainSeparator: opts.domainSeparator ?? ch.channel.domainSeparator,
  })
}

const deposit = (i: number): Op => ({ tag: OpTag.Deposit, depositIndex: BigInt(i) })
const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })
const fresh = () => new Replica(tc.channel, { deposits })

describe('ingress rejection rules (THREATS rows 2, 3, 5, 6, 8)', () => {
  const b1 = block(tc, 0, 1n, ZERO32, [], [deposit(0)])

  it('accepts a valid block once and deduplicates by id', () => {
    const r = fresh()
    expect(r.receive(b1.bytes).status).toBe('accepted')
    expect(r.receive(b1.bytes).status).toBe('duplicate')
    expect(r.state.avail[0]).toBe(AMOUNT)
  })

  it('refuses garbage, truncation and oversize before any state change', () => {
    const r = fresh()
    expect(r.receive(new Uint8Array([1, 2, 3]))).toMatchObject({ status: 'rejected', reason: 'malformed' })
    expect(r.receive(b1.bytes.slice(0, b1.bytes.length - 1))).toMatchObject({ reason: 'malformed' })
    expect(r.receive(new Uint8Array(300 * 1024))).toMatchObject({ reason: 'oversize' })
    expect(r.order.length).toBe(0)
  })

  it('refuses a block signed by a key that is not the author’s session key (forgery)', () => {
    const forged = block(tc, 0, 1n, ZERO32, [], [transfer(1, 5n)], { sessionKey: tc.members[1]!.sessionKey })
    expect(fresh().receive(forged.bytes)).toMatchObject({ reason: 'bad-signature' })
  })

  it('refuses the wallet key in place of the session key', () => {
    const byWallet = block(tc, 0, 1n, ZERO32, [], [deposit(0)], { sessionKey: tc.members[0]!.walletKey })
    expect(fresh().receive(byWallet.bytes)).toMatchObject({ reason: 'bad-signature' })
  })

  it('refuses one changed field under the original signature', () => {
    const b: Block = {
      ...b1.block,
      ops: [deposit(1)],
      opsBytes: block(tc, 0, 1n, ZERO32, [], [deposit(1)]).block.opsBytes,
    }
    expect(fresh().receive(encodeBlock(b))).toMatchObject({ reason: 'bad-signature' })
  })

  it('refuses the high-s twin and v outside {27, 28}', () => {
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const sig = b1.block.signature
    const s = BigInt(toHex(sig.subarray(32, 64)))
    const twin = new Uint8Array(sig)
    twin.set(fromHex(`0x${(N - s).toString(16).padStart(64, '0')}`), 32)
    twin[64] = sig[64] === 27 ? 28 : 27
    expect(fresh().receive(encodeBlock({ ...b1.block, signature: twin }))).toMatchObject({
      reason: 'bad-signature',
    })
    const v29 = new Uint8Array(sig)
    v29[64] = 29
    expect(fresh().receive(encodeBlock({ ...b1.block, signature: v29 }))).toMatchObject({
      reason: 'bad-signature',
    })
  })

  it('refuses blocks of another channel, and blocks signed for another chain or contract (replay)', () => {
    const other = makeTestChannel({ participants: 3, label: 'replica', nonce: 99n })
    expect(fresh().receive(block(other, 0, 1n, ZERO32, [], [deposit(0)]).bytes)).toMatchObject({
      reason: 'wrong-channel',
    })
    for (const domain of [
      { chainId: 1n, verifyingContract: tc.channel.config.verifyingContract },
      { chainId: 31337n, verifyingContract: '0x0000000000000000000000000000000000000001' as const },
    ]) {
      const replayed = block(tc, 0, 1n, ZERO32, [], [deposit(0)], {
        domainSeparator: domainSeparator(domain),
      })
      expect(fresh().receive(replayed.bytes)).toMatchObject({ reason: 'bad-signature' })
    }
  })

  it('gives a non-participant no effect, even with a valid signature', () => {
    const outsider = makeTestChannel({ participants: 4, label: 'outsider' })
    const b = createBlock({
      channelId: tc.channel.channelId,
      author: fromHex(outsider.members[3]!.address),
      seq: 1n,
      prev: ZERO32,
      parents: [],
      ops: [deposit(0)],
      sessionKey: outsider.members[3]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    const r = fresh()
    expect(r.receive(b.bytes)).toMatchObject({ reason: 'not-participant' })
    expect(r.state.avail.every((x) => x === 0n)).toBe(true)
  })

  it('refuses a prev that is another author’s block or skips a seq', () => {
    const r = fresh()
    r.receive(b1.bytes)
    const other = block(tc, 1, 2n, b1.id, [], [])
    expect(r.receive(other.bytes)).toMatchObject({ reason: 'bad-prev' })
    const b2 = block(tc, 0, 2n, b1.id, [], [])
    const gap = block(tc, 0, 4n, b2.id, [], [])
    expect(r.receive(gap.bytes).status).toBe('buffered')
    const wrongSeq = block(tc, 0, 3n, b1.id, [], [])
    expect(r.receive(wrongSeq.bytes)).toMatchObject({ reason: 'bad-prev' })
  })

  it('holds blocks with unknown ancestors in a bounded buffer and applies them once ancestors arrive', () => {
    const r = new Replica(tc.channel, { deposits, bufferPerAuthor: 2 })
    const b2 = block(tc, 0, 2n, b1.id, [], [transfer(1, 10n)])
    const b3 = block(tc, 0, 3n, b2.id, [], [transfer(1, 10n)])
    expect(r.receive(b3.bytes).status).toBe('buffered')
    expect(r.receive(b2.bytes).status).toBe('buffered')
    // the author's buffer is full: a block with lying parents is dropped, not stored
    const liar = block(tc, 0, 2n, b1.id, [keccak256(new Uint8Array([1]))], [])
    expect(r.receive(liar.bytes)).toMatchObject({ reason: 'buffer-full' })
    expect(r.order.length).toBe(0)
    expect(r.receive(b1.bytes).status).toBe('accepted')
    expect(r.order.map((n) => n.seq)).toEqual([1, 2, 3])
    expect(r.state.avail[1 * 2 + 0]).toBe(20n)
    expect(r.bufferedCount).toBe(0)
  })

  it('never applies a block whose parents do not exist (lying about causality)', () => {
    const r = fresh()
    const liar = block(tc, 0, 1n, ZERO32, [keccak256(new Uint8Array([7]))], [deposit(0)])
    expect(r.receive(liar.bytes).status).toBe('buffered')
    expect(r.state.avail[0]).toBe(0n)
  })
})

describe('equivocation (THREATS row 4)', () => {
  it('detects two blocks at one seq, records evidence, and voids the author’s ops from the fork on', () => {
    const a1 = block(tc, 0, 1n, ZERO32, [], [deposit(0)])
    const forkA = block(tc, 0, 2n, a1.id, [], [transfer(1, 100n)])
    const forkB = block(tc, 0, 2n, a1.id, [], [transfer(2, 100n)])
    const after = block(tc, 0, 3n, forkA.id, [], [transfer(1, 1n)])
    const honest = block(tc, 1, 1n, ZERO32, [forkB.id], [deposit(2), transfer(2, 7n)])
    const all = [a1, forkA, forkB, after, honest].map((b) => b.bytes)
    const x = fresh()
    const y = fresh()
    x.receiveMany(all)
    y.receiveMany([...all].reverse())
    for (const r of [x, y]) {
      expect(r.equivocators()).toEqual([0])
      expect(r.equivocations[0]!.seq).toBe(2)
      // seq 1 stands, seq ≥ 2 is void, the honest block referencing a fork still applies
      expect(r.state.avail[0]).toBe(AMOUNT)
      expect(r.state.avail[2 * 2]).toBe(7n)
      expect(r.nodes.get(toHex(forkA.id))!.results[0]).toBe(Reject.Equivocator)
      expect(r.nodes.get(toHex(after.id))!.results[0]).toBe(Reject.Equivocator)
    }
    expect(toHex(x.stateRoot())).toBe(toHex(y.stateRoot()))
    // evidence: same author and seq, different ids, both signatures valid
    const ev = x.equivocations[0]!
    expect(ev.a.id).not.toBe(ev.b.id)
    expect(ev.a.header.seq).toBe(ev.b.header.seq)
  })

  it('an identical re-delivery is not equivocation', () => {
    const r = fresh()
    const a1 = block(tc, 0, 1n, ZERO32, [], [deposit(0)])
    r.receive(a1.bytes)
    r.receive(encodeBlock(decodeBlock(a1.bytes)))
    expect(r.equivocators()).toEqual([])
    expect(r.order.length).toBe(1)
  })
})

/** A small honest DAG: three authors writing concurrently, each block citing a random subset of seen blocks. */
function randomDag(seed: number, blocks: number, ch: TestChannel = tc) {
  let s = seed >>> 0
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 4294967296
  }
  const seqs = [0n, 0n, 0n]
  const prevs = [ZERO32, ZERO32, ZERO32]
  const known: Uint8Array[] = []
  const out: Uint8Array[] = []
  for (let i = 0; i < blocks; i++) {
    const a = Math.floor(rnd() * 3)
    const ops: Op[] = []
    if (seqs[a] === 0n) ops.push(deposit(2 * a), deposit(2 * a + 1))
    for (let k = 0; k < 6; k++) {
      const r = rnd()
      const price = BigInt(95 + Math.floor(rnd() * 10))
      const qty = BigInt(1 + Math.floor(rnd() * 30))
      const side = rnd() < 0.5 ? Side.Buy : Side.Sell
      if (r < 0.3) ops.push(transfer((a + 1 + Math.floor(rnd() * 2)) % 3, BigInt(Math.floor(rnd() * 2e9))))
      else if (r < 0.8)
        ops.push({
          tag: OpTag.Place,
          market: 0,
          side,
          kind: OrderKind.Limit,
          tif: TimeInForce.GTC,
          price,
          qty,
        })
      else if (r < 0.9)
        ops.push({
          tag: OpTag.Place,
          market: 0,
          side,
          kind: OrderKind.Market,
          tif: 1,
          price: side ? 1n : 1000n,
          qty,
        })
      else ops.push({ tag: OpTag.Cancel, orderSeq: seqs[a]!, orderIndex: Math.floor(rnd() * 6) })
    }
    const parents = known.filter(() => rnd() < 0.15).slice(-4)
    const b = block(ch, a, seqs[a]! + 1n, prevs[a]!, parents, ops)
    seqs[a]! += 1n
    prevs[a] = b.id
    known.push(b.id)
    out.push(b.bytes)
  }
  return out
}

describe('canonical order and the fold (THREATS row 14)', () => {
  it('random delivery orders and batchings of the same blocks give the same state root and order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 30 }), { minLength: 40, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
        (seed, keys, chunks) => {
          const blocks = randomDag(seed, 40)
          const reference = fresh()
          for (const b of blocks) reference.receive(b)
          // a shuffled delivery, in random chunk sizes, to a replica with frequent snapshots
          const shuffled = blocks.map((b, i) => ({ b, k: keys[i]! })).sort((x, y) => x.k - y.k)
          const r = new Replica(tc.channel, { deposits, snapshotInterval: 3 })
          let i = 0
          let c = 0
          while (i < shuffled.length) {
            const size = chunks[c++ % chunks.length]!
            r.receiveMany(shuffled.slice(i, i + size).map((x) => x.b))
            i += size
          }
          expect(r.order.map((n) => n.hex)).toEqual(reference.order.map((n) => n.hex))
          expect(toHex(r.stateRoot())).toBe(toHex(reference.stateRoot()))
          // and equal to a from-scratch fold of the final order
          const again = fresh()
          again.receiveMany(r.blocksInOrder())
          expect(toHex(again.stateRoot())).toBe(toHex(r.stateRoot()))
        },
      ),
      { numRuns: 25 },
    )
  })

  it('conserves every token and never lets a balance go negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
        const r = fresh()
        r.receiveMany(randomDag(seed, 30))
        for (let t = 0; t < 2; t++) {
          let total = 0n
          for (let p = 0; p < 3; p++) total += r.state.holdings(p, t)
          const credited = [...r.state.credited].filter((i) => deposits[Number(i)]!.token === t).length
          expect(total).toBe(BigInt(credited) * AMOUNT)
        }
        for (const bucket of [r.state.avail, r.state.locked, r.state.reserved, r.state.pendingWithdrawal])
          for (const x of bucket) expect(x >= 0n).toBe(true)
      }),
      { numRuns: 30 },
    )
  })

  it('Byzantine blocks of skipped ops do not change what honest ops produce', () => {
    // participants 0–2 are honest, 3 is Byzantine and has no funds
    const tc4 = makeTestChannel({ participants: 4, label: 'replica4' })
    const deposits4 = testDeposits(3, 2, AMOUNT)
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.array(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 6 }),
        (seed, cites) => {
          const honest = randomDag(seed, 24, tc4)
          const honestOnly = new Replica(tc4.channel, { deposits: deposits4 })
          honestOnly.receiveMany(honest)
          // spam cites early honest blocks, so it sorts in among them rather than after them
          const spam: Uint8Array[] = []
          let prev = ZERO32
          cites.forEach((k, i) => {
            const b = block(
              tc4,
              3,
              BigInt(i + 1),
              prev,
              [honestOnly.order[k]!.id],
              [
                transfer(0, AMOUNT * 100n),
                { tag: OpTag.Cancel, orderSeq: 1n, orderIndex: 0 },
                deposit(999),
                { tag: OpTag.Withdraw, token: 1, amount: AMOUNT * 9n },
                {
                  tag: OpTag.Place,
                  market: 0,
                  side: Side.Buy,
                  kind: OrderKind.Limit,
                  tif: 0,
                  price: 100n,
                  qty: 5n,
                },
              ],
            )
            prev = b.id
            spam.push(b.bytes)
          })
          const withSpam = new Replica(tc4.channel, { deposits: deposits4 })
          withSpam.receiveMany([...spam, ...honest])
          const spamNodes = withSpam.order.filter((n) => n.author === 3)
          expect(spamNodes.length).toBe(spam.length)
          for (const n of spamNodes) for (const x of n.results) expect(x).not.toBe(Reject.None)
          expect(toHex(withSpam.stateRoot())).toBe(toHex(honestOnly.stateRoot()))
        },
      ),
      { numRuns: 25 },
    )
  })
})

describe('finality', () => {
  it('an op is pending until every participant has built on it, then final', () => {
    const rs = tc.members.map(
      (m) => new Replica(tc.channel, { deposits, author: { index: m.index, sessionKey: m.sessionKey } }),
    )
    const [a, b, c] = rs as [Replica, Replica, Replica]
    a.submit(deposit(0))
    const x = a.seal()!
    for (const r of [b, c]) r.receive(x)
    const node = a.nodes.get(a.order[0]!.hex)!
    expect(a.isFinal(node)).toBe(false)
    b.submit(deposit(2))
    const y = b.seal()!
    for (const r of [a, c]) r.receive(y)
    expect(a.isFinal(node)).toBe(false)
    c.submit(deposit(4))
    const z = c.seal()!
    for (const r of [a, b]) r.receive(z)
    // c cites a and b; a and b have not cited c yet, but every participant descends from a's first block now
    expect(a.isFinal(node)).toBe(true)
    expect(a.finalCount).toBeGreaterThanOrEqual(1)
    // the final state holds a's deposit but not c's, whose block nobody has built on yet
    expect(a.finalState().avail[0]).toBe(AMOUNT)
    expect(a.finalState().avail[2 * 2]).toBe(0n)
    expect(a.state.avail[2 * 2]).toBe(AMOUNT)
  })

  it('idle participants acknowledge blocks with ops by an empty block, which needs no acknowledgement', () => {
    const tc2 = makeTestChannel({ participants: 2, label: 'ack' })
    const d2 = testDeposits(2, 2, AMOUNT)
    const [a, b] = tc2.members.map(
      (m) => new Replica(tc2.channel, { deposits: d2, author: { index: m.index, sessionKey: m.sessionKey } }),
    ) as [Replica, Replica]
    a.submit(deposit(0))
    const x = a.seal()!
    b.receive(x)
    expect(a.needsAck()).toBe(false)
    expect(b.needsAck()).toBe(true)
    const ack = b.ack()!
    expect(decodeBlock(ack).ops.length).toBe(0)
    expect(b.needsAck()).toBe(false)
    a.receive(ack)
    // b's empty block acknowledges a's: a's block is final at a, and a owes no acknowledgement back
    expect(a.finalCount).toBe(1)
    expect(a.needsAck()).toBe(false)
    expect(a.ack()).toBeUndefined()
    expect(toHex(a.stateRoot())).toBe(toHex(b.stateRoot()))
  })

  it('a t-of-n checkpoint finalises despite an offline participant, and later blocks sort after it', () => {
    const rs = tc.members.map(
      (m) => new Replica(tc.channel, { deposits, author: { index: m.index, sessionKey: m.sessionKey } }),
    )
    const [a, b, c] = rs as [Replica, Replica, Replica]
    const net = (from: Replica, bytes: Uint8Array | undefined) => {
      if (!bytes) return
      for (const r of [a, b]) if (r !== from) r.receive(bytes)
    }
    // c is offline: it writes a block nobody sees yet, with a low height
    c.submit(deposit(4))
    const late = c.seal()!
    a.submit(deposit(0))
    net(a, a.seal())
    b.submit(deposit(2))
    net(b, b.seal())
    a.submit(transfer(1, 5n))
    net(a, a.seal())
    expect(a.finalCount).toBe(0)
    const cp = a.currentCheckpoint()
    a.signCheckpoint(cp)
    net(a, a.seal())
    expect(b.endorse(cp)).toBe('signed')
    net(b, b.seal())
    expect(a.finalCheckpoints.length).toBe(1)
    expect(b.finalCheckpoints.length).toBe(1)
    const covered = a.order.filter((n) => n.segment === 1).length
    expect(covered).toBe(3)
    // c's block arrives: its height is 1, but it is not in the checkpoint, so it sorts after every covered block
    a.receive(late)
    b.receive(late)
    const pos = a.order.findIndex((n) => n.author === 2)
    expect(pos).toBeGreaterThanOrEqual(covered)
    expect(a.finalCount).toBeGreaterThanOrEqual(covered)
    expect(toHex(a.stateRoot())).toBe(toHex(b.stateRoot()))
  })

  it('refuses to co-sign a checkpoint whose root does not match, or a second one at the same version', () => {
    const [a, b] = tc.members.map(
      (m) => new Replica(tc.channel, { deposits, author: { index: m.index, sessionKey: m.sessionKey } }),
    ) as [Replica, Replica]
    a.submit(deposit(0))
    const x = a.seal()!
    b.receive(x)
    const cp = a.currentCheckpoint()
    expect(b.endorse({ ...cp, stateRoot: keccak256(new Uint8Array([1])) })).toBe('root-mismatch')
    expect(b.endorse({ ...cp, version: 5n })).toBe('wrong-version')
    expect(b.endorse(cp)).toBe('signed')
    expect(b.endorse(cp)).toBe('already-signed')
  })

  it('does not count a checkpoint signature by someone other than the block author', () => {
    const [a, b] = tc.members.map(
      (m) => new Replica(tc.channel, { deposits, author: { index: m.index, sessionKey: m.sessionKey } }),
    ) as [Replica, Replica]
    a.submit(deposit(0))
    b.receive(a.seal()!)
    const cp = a.currentCheckpoint()
    // b puts a's-key-free garbage signature in its own checkpoint op
    const bad = block(
      tc,
      1,
      1n,
      ZERO32,
      [a.order[0]!.id],
      [
        {
          tag: OpTag.Checkpoint,
          ...cp,
          signature: signDigest(keccak256(new Uint8Array([2])), tc.members[1]!.sessionKey),
        },
      ],
    )
    a.receive(bad.bytes)
    expect(a.nodes.get(toHex(bad.id))!.results[0]).toBe(Reject.CheckpointInvalid)
    expect(a.checkpointTallies().length).toBe(0)
  })
})

describe('local authoring and batching', () => {
  it('applies a submitted op at once, seals at N ops, and the sealed block is what peers accept', () => {
    const a = new Replica(tc.channel, {
      deposits,
      author: { index: 0, sessionKey: tc.members[0]!.sessionKey },
      batchOps: 3,
    })
    const r1 = a.submit(deposit(0))
    expect(r1.result).toBe(Reject.None)
    expect(a.state.avail[0]).toBe(AMOUNT)
    expect(a.order.length).toBe(0)
    a.submit(transfer(1, 10n))
    const r3 = a.submit(transfer(1, 10n))
    expect(r3.sealed).toBeInstanceOf(Uint8Array)
    expect(a.order.length).toBe(1)
    const peer = fresh()
    expect(peer.receive(r3.sealed!).status).toBe('accepted')
    expect(toHex(peer.stateRoot())).toBe(toHex(a.stateRoot()))
  })

  it('seals a batch once it is batchMs old by the caller’s clock, not before', () => {
    const a = new Replica(tc.channel, {
      deposits,
      author: { index: 0, sessionKey: tc.members[0]!.sessionKey },
      batchMs: 10,
    })
    a.submit(deposit(0), 1000)
    expect(a.sealIfDue(1009)).toBeUndefined()
    expect(a.pendingOps).toBe(1)
    expect(a.sealIfDue(1010)).toBeInstanceOf(Uint8Array)
    expect(a.pendingOps).toBe(0)
    expect(a.sealIfDue(5000)).toBeUndefined()
  })

  it('re-applies pending ops on top of a remote block that arrives while the batch is open', () => {
    const a = new Replica(tc.channel, {
      deposits,
      author: { index: 0, sessionKey: tc.members[0]!.sessionKey },
    })
    const b = new Replica(tc.channel, {
      deposits,
      author: { index: 1, sessionKey: tc.members[1]!.sessionKey },
    })
    b.submit(deposit(2))
    const fromB = b.seal()!
    a.submit(deposit(0))
    a.submit(transfer(1, 10n))
    a.receive(fromB)
    expect(a.state.avail[1 * 2]).toBe(AMOUNT + 10n)
    const sealed = a.seal()!
    b.receive(sealed)
    expect(toHex(a.stateRoot())).toBe(toHex(b.stateRoot()))
    expect(a.order.map((n) => n.hex)).toEqual(b.order.map((n) => n.hex))
  })

  it('credits a deposit op once the on-chain record is supplied, replaying what followed', () => {
    const r = new Replica(tc.channel, { deposits: [] })
    const a1 = block(tc, 0, 1n, ZERO32, [], [deposit(0), transfer(1, 10n)])
    r.receive(a1.bytes)
    expect(r.order[0]!.results[0]).toBe(Reject.UnknownDeposit)
    expect(r.order[0]!.results[1]).toBe(Reject.InsufficientFunds)
    r.addDeposits(deposits)
    expect(r.order[0]!.results[0]).toBe(Reject.None)
    expect(r.order[0]!.results[1]).toBe(Reject.None)
    expect(r.state.avail[0]).toBe(AMOUNT - 10n)
  })
})
