import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../core/bytes.ts'
import { checkpointDigest } from '../core/checkpoint.ts'
import { keccak256 } from '../core/hash.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { recoverAddress, signDigest } from '../core/signature.ts'
import { makeTestChannel, testDeposits } from '../core/testing.ts'
import { ChannelSession } from './session.ts'
import {
  findCheckpoint,
  fullySigned,
  proposable,
  provableConflicts,
  requestCheckpoint,
  type SettlementContext,
} from './settlement.ts'

// n = 4, q = 3: a checkpoint is certified (proposable on chain) with 3 signatures, fully signed with 4
const tc = makeTestChannel({ participants: 4, label: 'settle' })
const deposits = testDeposits(4, 2, 1000n)
const transfer = (to: number, amount: bigint): Op => ({ tag: OpTag.Transfer, to, token: 0, amount })

/**
 * Four participants, each with a replica and a session; a published block reaches every online participant at
 * once. Sessions tick only when the test says so (`settle`), in lockstep, like runToQuiet does for replicas.
 */
function network(online = [0, 1, 2, 3]) {
  const up = new Set(online)
  let published = 0
  const replicas = tc.members.map(
    (m) =>
      new Replica(tc.channel, {
        ignoreForcedQueue: true,
        deposits,
        author: { index: m.index, sessionKey: m.sessionKey },
        leaderWaitMs: 0,
        // no checkpoint by time: only requests make them
        checkpointIntervalMs: 1e15,
      }),
  )
  const ctxs: SettlementContext[] = replicas.map((replica, me) => ({
    replica,
    me,
    contract: tc.channel.config.verifyingContract,
    session: new ChannelSession(
      replica,
      {
        now: () => 0,
        persist: async () => {},
        publish: (bytes) => {
          published++
          if (!up.has(me)) return
          for (const [i, r] of replicas.entries()) if (i !== me && up.has(i)) r.receive(bytes)
        },
      },
      1e9,
    ),
  }))
  /** Offers every online session a round, pass after pass, until a pass publishes nothing. */
  const settle = async () => {
    for (let pass = 0; pass < 500; pass++) {
      const before = published
      for (const c of ctxs) if (up.has(c.me)) await c.session.flush()
      if (published === before) return
    }
    throw new Error('settle: still sealing')
  }
  /** Brings a participant online: it gets every block the others hold, and they get its blocks. */
  const join = (i: number) => {
    up.add(i)
    for (const [j, r] of replicas.entries()) if (j !== i) replicas[i]!.receiveMany(r.blocksInOrder())
    for (const [j, r] of replicas.entries()) if (j !== i) r.receiveMany(replicas[i]!.blocksInOrder())
  }
  const close = () => {
    for (const c of ctxs) c.session.close()
  }
  return { replicas, ctxs, settle, join, close }
}

/** Every checkpoint signature a participant put in a block any replica holds: version → digests. */
function signedBy(replicas: Replica[], author: number): Map<bigint, Set<string>> {
  const out = new Map<bigint, Set<string>>()
  for (const r of replicas)
    for (const node of r.nodes.values()) {
      if (node.author !== author) continue
      for (const op of node.block.ops) {
        if (op.tag !== OpTag.Checkpoint) continue
        const digest = toHex(checkpointDigest(tc.channel.domainSeparator, tc.channel.channelId, op))
        const set = out.get(op.version) ?? new Set()
        set.add(digest)
        out.set(op.version, set)
      }
    }
  return out
}

describe('checkpoints: requested, computed by every replica, signed automatically', () => {
  it('a request yields one checkpoint everywhere; q signatures certify it, all n make it fully signed', async () => {
    const { replicas, ctxs, settle, join, close } = network([0, 1, 2])
    ctxs[1]!.session.submit(transfer(3, 9n))
    await settle()
    expect(proposable(replicas[0]!)).toBeUndefined()
    expect(await requestCheckpoint(ctxs[0]!)).toBe(1n)
    // nothing is computed before the leader whose history holds the request commits
    expect(replicas[0]!.latestCheckpointVersion).toBe(0n)
    await settle()
    // three of four online: every online replica computed the same checkpoint and signed it on its own
    const cp = replicas[0]!.checkpoint(1n)!
    for (const r of replicas.slice(0, 3)) {
      expect(r.latestCheckpointVersion).toBe(1n)
      expect(r.checkpoint(1n)!.digest).toBe(cp.digest)
      expect(proposable(r)?.digest).toBe(cp.digest)
      expect([...proposable(r)!.signatures.keys()].sort()).toEqual([0, 1, 2])
      expect(fullySigned(r)).toBeUndefined()
    }
    // the checkpoint's state holds the transfer, and the chain's balancesRoot finds it
    expect(replicas[2]!.stateOfCheckpoint(1n).holdings(3, 0)).toBe(1009n)
    expect(findCheckpoint(replicas[1]!, 1n, toHex(cp.balancesRoot))?.digest).toBe(cp.digest)
    expect(findCheckpoint(replicas[1]!, 1n, toHex(keccak256(new Uint8Array([1]))))).toBeUndefined()
    expect(findCheckpoint(replicas[1]!, 2n)).toBeUndefined()

    // the fourth participant catches up: it computes the same checkpoint, signs it, and the signature spreads
    join(3)
    expect(replicas[3]!.checkpoint(1n)?.digest).toBe(cp.digest)
    await settle()
    for (const r of replicas) {
      const full = fullySigned(r)!
      expect(full.digest).toBe(cp.digest)
      expect(full.signatures.size).toBe(4)
      for (const [i, sig] of full.signatures)
        expect(recoverAddress(fromHex(full.digest, 32), sig)).toBe(tc.channel.sessionKeys[i])
      expect(r.checkpointConflicts).toEqual([])
    }
    close()
  })

  it('an honest replica never signs two digests at one version, whatever others sign', async () => {
    const { replicas, ctxs, settle, close } = network()
    ctxs[0]!.session.submit(transfer(1, 5n))
    // two requests in the same round, then one more later: versions only ever go up, one digest each
    await requestCheckpoint(ctxs[1]!)
    await requestCheckpoint(ctxs[2]!)
    await settle()
    const v1 = Number(replicas[0]!.latestCheckpointVersion)
    expect(v1).toBeGreaterThanOrEqual(1)
    // participant 3 signs a different checkpoint at the newest version, the one it signed honestly (the two
    // requests may land under two leader slots of one round: two versions, and a replica signs only the newest)
    const honest = replicas[3]!.checkpoint(BigInt(v1))!
    const wrong = { ...honest, stateRoot: keccak256(new Uint8Array([7])) }
    const signature = signDigest(
      checkpointDigest(tc.channel.domainSeparator, tc.channel.channelId, wrong),
      tc.members[3]!.sessionKey,
    )
    ctxs[3]!.session.submit({ tag: OpTag.Checkpoint, ...wrong, signature })
    ctxs[2]!.session.submit(transfer(0, 1n))
    expect(await requestCheckpoint(ctxs[2]!)).toBe(BigInt(v1 + 1))
    await settle()
    for (const r of replicas) {
      expect(r.latestCheckpointVersion).toBe(BigInt(v1 + 1))
      expect(r.heldCheckpoints().map((c) => c.digest)).toEqual(
        replicas[0]!.heldCheckpoints().map((c) => c.digest),
      )
      // the wrong signature is evidence against 3 only and never counts toward the checkpoint
      expect(new Set(r.checkpointConflicts.map((c) => c.author))).toEqual(new Set([3]))
      expect(r.checkpointConflicts.every((c) => c.version === BigInt(v1))).toBe(true)
      // what the Slash button sends: one provable conflict (two signed checkpoints) per offender
      const provable = provableConflicts(r.checkpointConflicts)
      expect(provable.map((c) => c.author)).toEqual([3])
      expect(provable[0]!.b).toBeDefined()
      // the newest version carries every signature (a replica that was behind signs only the newest it computed)
      expect(r.heldCheckpoints().at(-1)!.signatures.size).toBe(4)
      expect(proposable(r)?.version).toBe(BigInt(v1 + 1))
    }
    // every honest participant signed each version at most once, the newest among them, and exactly what everyone
    // computed
    for (const author of [0, 1, 2]) {
      const signed = signedBy(replicas, author)
      expect(signed.has(BigInt(v1 + 1))).toBe(true)
      for (const [version, digests] of signed)
        expect([...digests]).toEqual([replicas[0]!.checkpoint(version)!.digest])
    }
    expect(signedBy(replicas, 3).get(BigInt(v1))?.size).toBe(2)
    close()
  })
})
