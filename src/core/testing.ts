import { createBlock, decodeBlock } from './block.ts'
import { fromHex, type Hex, toHex } from './bytes.ts'
import {
  type AmmParams,
  type Channel,
  type ChannelConfig,
  computeChannelId,
  type Market,
  openChannel,
  type PerpParams,
  type Role,
  sessionKeyDigest,
} from './channel.ts'
import { keccak256 } from './hash.ts'
import type { Op } from './ops.ts'
import { defaultQuorum } from './quorum.ts'
import { Replica, type ReplicaOptions } from './replica.ts'
import { addressFromPrivateKey, signDigest } from './signature.ts'
import type { DepositRecord } from './state.ts'

/**
 * Deterministic channels for tests, the simulator and benchmarks: keys derive from a label, so a failing seed
 * replays exactly. Not for production keys.
 */
export type TestParticipant = { index: number; walletKey: Uint8Array; sessionKey: Uint8Array; address: Hex }
export type TestChannel = { channel: Channel; members: TestParticipant[] }

const enc = new TextEncoder()
export const keyFromLabel = (label: string) => keccak256(enc.encode(label))

export const TEST_TOKENS: Hex[] = [
  '0x00000000000000000000000000000000000000b1',
  '0x00000000000000000000000000000000000000c2',
]
export const TEST_MARKET: Market = { base: 0, quote: 1, tickSize: 1n, lotSize: 1000n }

export type MakeTestChannelParameters = {
  participants: number
  label?: string
  threshold?: number
  roles?: Role[]
  makerFeeBps?: bigint
  takerFeeBps?: bigint
  maxOpenOrders?: number
  chainId?: bigint
  verifyingContract?: Hex
  nonce?: bigint
  /** markets (default: one spot market over the two test tokens); not part of the channel id */
  markets?: Market[]
  maxLeverage?: number
  perps?: PerpParams
  amm?: AmmParams
  /** bond each participant must hold on chain before it trades (default 0: no requirement) */
  minStake?: bigint
}

export function makeTestChannel(p: MakeTestChannelParameters): TestChannel {
  const label = p.label ?? 'test'
  const chainId = p.chainId ?? 31337n
  const verifyingContract = p.verifyingContract ?? '0x5fbdb2315678afecb367f032d93f642f64180aa3'
  const members: TestParticipant[] = Array.from({ length: p.participants }, (_, i) => {
    const walletKey = keyFromLabel(`${label}/wallet/${i}`)
    return {
      index: i,
      walletKey,
      sessionKey: keyFromLabel(`${label}/session/${i}`),
      address: addressFromPrivateKey(walletKey),
    }
  })
  const base: ChannelConfig = {
    chainId,
    verifyingContract,
    nonce: p.nonce ?? 1n,
    threshold: p.threshold ?? defaultQuorum(p.participants),
    tokens: TEST_TOKENS,
    markets: p.markets ?? [TEST_MARKET],
    params: {
      minStake: p.minStake ?? 0n,
      disputeWindow: 3600n,
      maxLeverage: p.maxLeverage ?? 1,
      makerFeeBps: p.makerFeeBps ?? 2n,
      takerFeeBps: p.takerFeeBps ?? 5n,
      feeRecipient: 0,
      maxOpenOrders: p.maxOpenOrders ?? 1000,
      ...(p.perps ? { perps: p.perps } : {}),
      ...(p.amm ? { amm: p.amm } : {}),
    },
    participants: members.map((m, i) => ({
      address: m.address,
      role: p.roles?.[i] ?? 0,
      sessionKey: addressFromPrivateKey(m.sessionKey),
      authSignature: '0x',
    })),
  }
  // authorisations sign the channel id, which does not depend on them
  const channelId = computeChannelId(base)
  for (const [i, m] of members.entries()) {
    const part = base.participants[i]!
    const digest = sessionKeyDigest({ chainId, verifyingContract }, channelId, m.address, part.sessionKey)
    part.authSignature = toHex(signDigest(digest, m.walletKey))
  }
  return { channel: openChannel(base), members }
}

/** One deposit record per (participant, token) of `amount`, indexes 0, 1, 2, … */
export function testDeposits(participants: number, tokens: number, amount: bigint): DepositRecord[] {
  const out: DepositRecord[] = []
  for (let p = 0; p < participants; p++)
    for (let t = 0; t < tokens; t++) out.push({ index: BigInt(out.length), participant: p, token: t, amount })
  return out
}

/**
 * An authoring replica for each member of `tc`: its session key, `deposits` credited before any block, no leader
 * wait, no chain behind it (ignoreForcedQueue); `options` add to or override these.
 */
export function authoringReplicas(
  tc: TestChannel,
  deposits: readonly DepositRecord[],
  options: ReplicaOptions = {},
): Replica[] {
  return tc.members.map(
    (m) =>
      new Replica(tc.channel, {
        ignoreForcedQueue: true,
        author: { index: m.index, sessionKey: m.sessionKey },
        deposits,
        leaderWaitMs: 0,
        ...options,
      }),
  )
}

/**
 * Drives authoring replicas to quiescence in lockstep, as a network with instant delivery would: each pass every
 * replica may seal its next block (tick), and every sealed block reaches every other replica. Stops when a pass
 * seals nothing, i.e. no replica has ops of its own or others' ops left to commit. Returns every sealed block, in
 * seal order. Replicas made with leaderWaitMs 0 never wait for a missing leader.
 */
export function runToQuiet(replicas: readonly Replica[], now = 0, maxPasses = 10_000): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let pass = 0; pass < maxPasses; pass++) {
    const sealed: [Replica, Uint8Array][] = []
    for (const r of replicas) {
      const b = r.tick(now + pass)
      if (b) sealed.push([r, b])
    }
    if (sealed.length === 0) return out
    for (const [from, b] of sealed) {
      out.push(b)
      for (const r of replicas) if (r !== from) r.receive(b)
    }
  }
  throw new Error(`runToQuiet: still sealing after ${maxPasses} passes`)
}

/**
 * Hand-built round-based DAGs for tests ("round 3: A, B, C reference …"): signs blocks for a test channel with
 * every field under the test's control. Each author's blocks chain by seq/prev automatically unless overridden.
 */
export class DagBuilder {
  /** round → author → the block made there (the latest one, for equivocation tests) */
  readonly at = new Map<number, Map<number, { id: Uint8Array; bytes: Uint8Array }>>()
  private readonly own: ({ id: Uint8Array; seq: bigint } | undefined)[]

  constructor(readonly tc: TestChannel) {
    this.own = tc.members.map(() => undefined)
  }

  /**
   * A block by `author` at `round` referencing the round − 1 blocks of `refs` (author indexes), plus any extra ids.
   * Its prev is the author's previous block (always referenced, as the format requires).
   */
  block(
    author: number,
    round: number,
    refs: readonly number[],
    ops: Op[] = [],
    extra: readonly Uint8Array[] = [],
    time = 0n,
  ): { id: Uint8Array; bytes: Uint8Array } {
    const prev = this.own[author]
    const below = this.at.get(round - 1)
    const parents = refs
      .filter((a) => a !== author || !prev)
      .map((a) => {
        const b = below?.get(a)
        if (!b) throw new Error(`no block of author ${a} at round ${round - 1}`)
        return b.id
      })
      .filter((id) => !prev || toHex(id) !== toHex(prev.id))
    const m = this.tc.members[author]!
    const { id, bytes } = createBlock({
      channelId: this.tc.channel.channelId,
      author: fromHex(m.address, 20),
      seq: (prev?.seq ?? 0n) + 1n,
      round: BigInt(round),
      time,
      prev: prev?.id ?? this.tc.channel.genesis,
      parents: [...parents, ...extra],
      ops,
      sessionKey: m.sessionKey,
      domainSeparator: this.tc.channel.domainSeparator,
    })
    this.own[author] = { id, seq: (prev?.seq ?? 0n) + 1n }
    const row = this.at.get(round) ?? new Map<number, { id: Uint8Array; bytes: Uint8Array }>()
    this.at.set(round, row)
    row.set(author, { id, bytes })
    return { id, bytes }
  }

  /** Every author in `authors` makes a block at `round` referencing every round − 1 block (or `refs` per author). */
  round(round: number, authors: readonly number[], refs?: Record<number, readonly number[]>): Uint8Array[] {
    const all = [...(this.at.get(round - 1)?.keys() ?? [])]
    return authors.map((a) => this.block(a, round, refs?.[a] ?? all).bytes)
  }

  /** Forgets an author's chain position (to sign a second block at a seq it already used). */
  rewind(author: number, to: { id: Uint8Array; seq: bigint } | undefined): void {
    this.own[author] = to
  }
}

/**
 * A twin of the signed block `bytes`: same author, seq, round, prev and parents, other ops and a clock 1 ms later,
 * signed by `sessionKey` — an equivocation (a crashed tab reusing its seq, or a Byzantine author).
 */
export function twinOf(channel: Channel, bytes: Uint8Array, ops: Op[], sessionKey: Uint8Array): Uint8Array {
  const blk = decodeBlock(bytes)
  return createBlock({
    channelId: channel.channelId,
    author: blk.author,
    seq: blk.seq,
    round: blk.round,
    time: blk.time + 1n,
    prev: blk.prev,
    parents: blk.parents,
    ops,
    sessionKey,
    domainSeparator: channel.domainSeparator,
  }).bytes
}
