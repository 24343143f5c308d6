import { describe, expect, it } from 'vitest'
import { createBlock, decodeBlock } from './block.ts'
import { fromHex, ZERO32 } from './bytes.ts'
import { checkpointDigest } from './checkpoint.ts'
import { keccak256 } from './hash.ts'
import { MAX_CHECKPOINT_OPS_PER_BLOCK, type Op, OpTag, Side } from './ops.ts'
import { AMOUNT, limit, network, root, tc, transfer } from './replica.fixture.ts'
import { InvalidOpError, type Replica } from './replica.ts'
import { signDigest } from './signature.ts'
import { runToQuiet } from './testing.ts'

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
