import { createBlock, decodeBlock } from '../block.ts'
import { fromHex } from '../bytes.ts'
import { checkpointDigest } from '../checkpoint.ts'
import { keccak256 } from '../hash.ts'
import { type Op, OpTag, OrderKind, Side } from '../ops.ts'
import type { Replica } from '../replica.ts'
import { signDigest } from '../signature.ts'
import type { DepositRecord } from '../state.ts'
import type { TestChannel } from '../testing.ts'
import type { Rng } from './rng.ts'

/** What the Byzantine participants of a simulation see of it: the seeded randomness, the network and the channel. */
export type ByzantineBehaviourParameters = {
  rng: Rng
  honest: readonly number[]
  everyone: readonly number[]
  tc: TestChannel
  /** another channel with the same participants: blocks replayed into ours must be refused */
  other: TestChannel
  deposits: readonly DepositRecord[]
  /** each participant's genesis deposit of each token */
  deposit: bigint
  lending: boolean
  byzReplicas: ReadonlyMap<number, Replica>
  broadcast: (from: number, bytes: Uint8Array, only?: number[]) => void
  now: () => number
}

export type ByzantineBehaviourReturnType = {
  /** ops no honest replica may accept the effect of: overdrafts, unknown orders, forged deposits, … */
  spam: (b: number) => Op[]
  /** sends Byzantine `b`'s newly sealed block, misbehaving on top: equivocation, forgery, garbage, lies, replays */
  byzantineBlock: (b: number, bytes: Uint8Array) => void
}

/**
 * The simulator's Byzantine participants: they run the same replica code as honest ones and misbehave on top —
 * equivocate (a different block of one round to each half of the network), forge authors, send garbage, lie about
 * parents, replay blocks from another channel, sign conflicting checkpoints and attest deposits that do not exist.
 * Every choice is drawn from `rng`, in the order the simulator always drew it, so seeds replay as before.
 */
export function byzantineBehaviour(p: ByzantineBehaviourParameters): ByzantineBehaviourReturnType {
  const { rng, honest, everyone, tc, other, deposits, deposit, lending, byzReplicas, broadcast, now } = p
  // Byzantine behaviour on top of a running replica
  const spam = (b: number): Op[] => [
    { tag: OpTag.Transfer, to: honest[rng.int(0, honest.length)]!, token: 0, amount: deposit * 1000n },
    { tag: OpTag.Cancel, orderSeq: 1n, orderIndex: 2 },
    // a deposit that does not exist on chain, and a real one with a forged amount
    { tag: OpTag.Deposit, depositIndex: BigInt(deposits.length), participant: b, token: 0, amount: deposit },
    {
      tag: OpTag.Deposit,
      depositIndex: BigInt(deposits.length + 1),
      participant: b,
      token: 1,
      amount: deposit * 9n,
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
    { tag: OpTag.Withdraw, token: 1, amount: deposit * 5n },
    // with a lending pool: borrow the pool dry without collateral, withdraw a supply it never made
    ...(lending
      ? ([
          { tag: OpTag.LendBorrow, token: 0, amount: deposit },
          { tag: OpTag.LendWithdraw, token: 1, amount: deposit * 3n },
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
        prev: tc.channel.genesis,
        parents: [],
        ops: [{ tag: OpTag.Transfer, to: b, token: 0, amount: deposit }],
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
          const res = r.submit({ tag: OpTag.Checkpoint, ...wrong, signature }, now())
          if (res.sealed) broadcast(b, res.sealed)
        } catch {}
      }
    } else {
      const bad = bytes.slice()
      bad[bad.length - 1] = 29
      broadcast(b, bad)
    }
  }
  return { spam, byzantineBlock }
}
