import { describe, expect, it } from 'vitest'
import { createBlock } from './block.ts'
import { fromHex, toHex } from './bytes.ts'
import { checkpointDigest } from './checkpoint.ts'
import { signRotation } from './keys.ts'
import { type Op, OpTag } from './ops.ts'
import { Reject } from './reasons.ts'
import { type Node, Replica, RotationError } from './replica.ts'
import { addressFromPrivateKey, recoverAddress, signDigest } from './signature.ts'
import { Rng } from './sim/rng.ts'
import { authoringReplicas, keyFromLabel, makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

const AMOUNT = 1_000_000n
const tc = makeTestChannel({ participants: 4, label: 'rotation' })
const deposits = testDeposits(4, 2, AMOUNT)
const A = 3
const leaked = tc.members[A]!.sessionKey
const fresh = keyFromLabel('rotation/new-key')
const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })

function network() {
  return authoringReplicas(tc, deposits)
}
const balance = (r: Replica, p: number) => r.state.holdings(p, 0)

/** A block of A signed by `key`, on top of `prev`, citing every block of the highest round: what a thief builds. */
function forged(r: Replica, key: Uint8Array, prev: Node, ops: Op[]) {
  const top = r.dag.maxRound
  const parents = (r.dag.byRound.get(top) ?? []).filter((x) => x !== prev).map((x) => x.id)
  return createBlock({
    channelId: tc.channel.channelId,
    author: fromHex(tc.channel.config.participants[A]!.address, 20),
    seq: BigInt(prev.seq + 1),
    round: BigInt(top + 1),
    time: 0n,
    prev: prev.id,
    parents,
    ops,
    sessionKey: key,
    domainSeparator: tc.channel.domainSeparator,
  })
}

/** A channel where A traded, then rotated to `fresh` and kept trading. */
function rotated() {
  const reps = network()
  reps[A]!.submit(transfer(0, 10n))
  runToQuiet(reps)
  const point = reps[A]!.rotationPoint()
  const op = signRotation(
    tc.channel,
    A,
    { newKey: addressFromPrivateKey(fresh), ...point },
    tc.members[A]!.walletKey,
  )
  reps[A]!.rotateKey(fresh, op)
  reps[A]!.submit(transfer(1, 20n))
  runToQuiet(reps)
  return { reps, point, op }
}

describe('session-key rotation (issue #12)', () => {
  it('attack: a leaked key keeps signing after the rotation and nothing it signs takes effect', () => {
    const { reps, point } = rotated()
    const before = reps.map((r) => [balance(r, A), balance(r, 2)])
    // 1. the thief continues A's chain (the rotation block and after) with the old key: refused by every replica
    const tip = reps[0]!.latest[A]!
    const onTop = forged(reps[0]!, leaked, tip, [transfer(2, 500n)])
    for (const r of reps)
      expect(r.receive(onTop.bytes)).toMatchObject({ status: 'rejected', reason: 'bad-rotation' })
    // 2. the thief forks A's chain just below the rotation, where the old key was still A's
    const base = [...reps[0]!.nodes.values()].find(
      (x) => x.author === A && BigInt(x.seq) === point.fromSeq - 1n,
    )!
    const fork = forged(reps[0]!, leaked, base, [transfer(2, 600n)])
    for (const r of reps) {
      expect(r.receive(fork.bytes).status).toBe('accepted')
      const node = r.nodes.get(toHex(fork.id))!
      expect(r.dag.isRevoked(node)).toBe(true)
      expect(node.results[0]).toBe(Reject.RevokedKey)
      // not A's equivocation: A keeps trading under its new key
      expect(r.equivocators()).toEqual([])
    }
    reps[A]!.submit(transfer(0, 5n))
    reps[2]!.submit(transfer(0, 1n))
    runToQuiet(reps)
    for (const r of reps) {
      expect(balance(r, 2)).toBe(before[0]![1]! - 1n)
      expect(balance(r, A)).toBe(before[0]![0]! - 5n)
      // honest blocks never cite the thief's fork, so it never becomes final
      expect(r.isFinal(r.nodes.get(toHex(fork.id))!)).toBe(false)
      expect(r.equivocators()).toEqual([])
    }
    expect(new Set(reps.map((r) => toHex(r.stateRoot()))).size).toBe(1)
  })

  it('attack: a checkpoint signature by the leaked key at or above fromVersion never counts', () => {
    const { reps, point } = rotated()
    reps[0]!.submit({ tag: OpTag.CheckpointRequest })
    runToQuiet(reps)
    const cp = reps[0]!.latestCertified()!
    expect(cp.version).toBeGreaterThanOrEqual(point.fromVersion)
    // A's signature on it is by the new key, on every replica
    for (const r of reps) {
      const sig = r.checkpoint(cp.version)!.signatures.get(A)!
      expect(recoverAddress(fromHex(cp.digest, 32), sig)).toBe(addressFromPrivateKey(fresh))
    }
    // the thief signs that checkpoint with the old key inside a forked block: the signature is refused
    const base = [...reps[0]!.nodes.values()].find(
      (x) => x.author === A && BigInt(x.seq) === point.fromSeq - 1n,
    )!
    const { digest: _d, signatures: _s, ...fields } = cp
    const signature = signDigest(
      checkpointDigest(tc.channel.domainSeparator, tc.channel.channelId, fields),
      leaked,
    )
    const fork = forged(reps[1]!, leaked, base, [{ tag: OpTag.Checkpoint, ...fields, signature }])
    const observer = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    for (const b of reps[0]!.blocksInOrder()) observer.receive(b)
    expect(observer.receive(fork.bytes).status).toBe('accepted')
    const node = observer.nodes.get(toHex(fork.id))!
    expect(node.badCheckpointOps?.has(0)).toBe(true)
    const held = observer.checkpoint(cp.version)!.signatures.get(A)!
    expect(recoverAddress(fromHex(cp.digest, 32), held)).toBe(addressFromPrivateKey(fresh))
  })

  it('versions below fromVersion stay with the old key, and the old key signed them', () => {
    const { reps, point } = rotated()
    for (const cp of reps[0]!.heldCheckpoints()) {
      const sig = cp.signatures.get(A)
      if (!sig) continue
      const want = cp.version < point.fromVersion ? tc.channel.sessionKeys[A] : addressFromPrivateKey(fresh)
      expect(recoverAddress(fromHex(cp.digest, 32), sig)).toBe(want)
    }
  })

  it('blocks name their key: any delivery order gives the same DAG and root', () => {
    const { reps } = rotated()
    const blocks = reps[0]!.blocksInOrder()
    const rng = new Rng(12)
    for (let t = 0; t < 5; t++) {
      const shuffled = blocks.slice()
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(0, i + 1)
        ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
      }
      const o = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
      o.receiveMany(shuffled)
      expect(o.nodes.size).toBe(reps[0]!.nodes.size)
      expect(o.finalIds()).toEqual(reps[0]!.finalIds())
      expect(toHex(o.finalState() && o.stateRoot())).toBe(toHex(reps[0]!.stateRoot()))
    }
  })

  it('a fork the old key made reaches one replica before the rotation: every replica still ends identical', () => {
    const reps = network()
    reps[A]!.submit(transfer(0, 10n))
    runToQuiet(reps)
    const point = reps[A]!.rotationPoint()
    const base = reps[0]!.latest[A]!
    // the thief forks first and only replica 0 sees it (not yet revoked there); then the rotation spreads
    const fork = forged(reps[0]!, leaked, base, [transfer(2, 600n)])
    expect(reps[0]!.receive(fork.bytes).status).toBe('accepted')
    reps[0]!.submit(transfer(1, 1n))
    const op = signRotation(
      tc.channel,
      A,
      { newKey: addressFromPrivateKey(fresh), ...point },
      tc.members[A]!.walletKey,
    )
    reps[A]!.rotateKey(fresh, op)
    reps[A]!.submit(transfer(1, 20n))
    for (let now = 0; now < 50; now++) {
      const sealed = reps.map((r) => r.tick(1000 + now))
      sealed.forEach((b, i) => {
        if (b) for (const [j, r] of reps.entries()) if (j !== i) r.receive(b)
      })
    }
    for (const r of reps) r.receive(fork.bytes)
    runToQuiet(reps, 2000)
    const roots = new Set(reps.map((r) => toHex(r.stateRoot())))
    expect(roots.size).toBe(1)
    const finals = new Set(reps.map((r) => r.finalIds().join()))
    expect(finals.size).toBe(1)
    // the rotated chain's transfer of 20 applied everywhere; A is no equivocator in the final order's eyes
    for (const r of reps) expect(r.finalState().holdings(1, 0)).toBe(AMOUNT + 21n)
  })

  it('refuses a rotation the wallet did not sign, a misplaced one, and one at the wrong seq', () => {
    const reps = network()
    runToQuiet(reps)
    const point = reps[A]!.rotationPoint()
    const r = { newKey: addressFromPrivateKey(fresh), ...point }
    const bySessionKey = signRotation(tc.channel, A, r, leaked)
    expect(() => reps[A]!.rotateKey(fresh, bySessionKey)).toThrow(RotationError)
    const late = signRotation(tc.channel, A, { ...r, fromSeq: point.fromSeq + 1n }, tc.members[A]!.walletKey)
    expect(() => reps[A]!.rotateKey(fresh, late)).toThrow(RotationError)
    // a block carrying a rotation signed by the session key instead of the wallet, or not as its last op
    const tip = reps[0]!.latest[A]
    const prev = tip ?? undefined
    const mk = (ops: Op[]) =>
      createBlock({
        channelId: tc.channel.channelId,
        author: fromHex(tc.channel.config.participants[A]!.address, 20),
        seq: BigInt((prev?.seq ?? 0) + 1),
        round: BigInt(reps[0]!.dag.maxRound + 1),
        time: 0n,
        prev: prev ? prev.id : tc.channel.genesis,
        parents: (reps[0]!.dag.byRound.get(reps[0]!.dag.maxRound) ?? [])
          .filter((x) => x !== prev)
          .map((x) => x.id),
        ops,
        sessionKey: fresh,
        domainSeparator: tc.channel.domainSeparator,
      })
    const good = signRotation(tc.channel, A, r, tc.members[A]!.walletKey)
    expect(reps[0]!.receive(mk([bySessionKey]).bytes)).toMatchObject({
      status: 'rejected',
      reason: 'bad-rotation',
    })
    expect(reps[0]!.receive(mk([good, transfer(0, 1n)]).bytes)).toMatchObject({
      status: 'rejected',
      reason: 'bad-rotation',
    })
    expect(reps[0]!.receive(mk([transfer(0, 1n), good]).bytes).status).toBe('accepted')
  })
})
