import type { Address, Hash, Hex } from 'viem'
import { readContract } from 'viem/actions'
import type { SignedCheckpoint } from '../../core/checkpoint.ts'
import { confirmTransaction } from '../actions/confirmTransaction.ts'
import { slashCensorship } from '../actions/slashCensorship.ts'
import { slashCheckpointConflict } from '../actions/slashCheckpointConflict.ts'
import { slashStaleProposal } from '../actions/slashStaleProposal.ts'
import { SettlementRevertedError } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import { type PendingProposal, readPendingProposal } from '../readers/readPendingProposal.ts'
import { ChannelStatus, type ReadClient, type WriteClient } from '../types.ts'
import type { ChainView } from './decide.ts'
import {
  type CensorshipEvidence,
  type ConflictEvidence,
  censorshipEvidence,
  censorshipIndexes,
  decideStaleSlash,
} from './decideSlash.ts'

/** One slash the tower sent (or would have sent without a key), logged as its own line. */
export type SlashLogEntry = {
  kind: 'slash'
  time: Date
  channelId: Hex
  /**
   * stale-proposal: `slashStaleProposal`; checkpoint-conflict: `slashCheckpoints` (both InvalidStateSubmission);
   * censorship: `slashCensorship` (a signature on a checkpoint leaving out a due forced record)
   */
  offence: 'stale-proposal' | 'checkpoint-conflict' | 'censorship'
  offender: number
  offenderAddress: Address
  /** the evidence: the newer signed version (stale proposal) or the version signed twice (conflict) */
  version: bigint
  /** the stale pending version (stale proposal); the same version for a conflict; the forced index (censorship) */
  against: bigint
  tx?: Hash
  error?: string
  /** due, but the tower has no wallet client */
  watchOnly?: boolean
}

/** A write's failure as one line: a decoded revert's short message, else the error's first line. */
export function errorLine(e: unknown): string {
  if (e instanceof SettlementRevertedError) return e.shortMessage
  if (e instanceof Error) return ((e as { shortMessage?: string }).shortMessage ?? e.message).split('\n')[0]!
  return String(e)
}

/**
 * Sends one slash and waits for it to be mined: `slashStaleProposal` with `held` and its valid signatures, or
 * `slashCheckpoints` with the two signed checkpoints of `conflict`. Fills `tx` / `error` of `entry`.
 */
export async function sendSlash(
  wallet: WriteClient,
  publicClient: ReadClient,
  target: { address: Address; channelId: Hex },
  evidence:
    | { offence: 'stale-proposal'; held: SignedCheckpoint; signatures: ReadonlyMap<number, Uint8Array> }
    | { offence: 'checkpoint-conflict'; conflict: ConflictEvidence }
    | { offence: 'censorship'; censorship: CensorshipEvidence },
  entry: SlashLogEntry,
): Promise<void> {
  try {
    entry.tx =
      evidence.offence === 'censorship'
        ? await slashCensorship(wallet, {
            ...target,
            checkpoint: evidence.censorship.checkpoint,
            signature: evidence.censorship.signature,
            index: evidence.censorship.index,
          })
        : evidence.offence === 'stale-proposal'
          ? await slashStaleProposal(wallet, {
              ...target,
              checkpoint: evidence.held,
              signatures: evidence.signatures,
            })
          : await slashCheckpointConflict(wallet, {
              ...target,
              conflict: {
                author: evidence.conflict.offender,
                version: evidence.conflict.version,
                a: evidence.conflict.a,
                b: evidence.conflict.b,
              },
            })
    await confirmTransaction(publicClient, { hash: entry.tx })
  } catch (e) {
    entry.error = errorLine(e)
  }
}

/**
 * `<ISO time> channel=<id> slash=<offence> offender=<index> (<address>) evidence=v<version> against=v<version>
 * tx=<hash>|- [error=…]`; `(watch only: no key)` after the offence when nothing could be sent.
 */
export function formatSlashLog(e: SlashLogEntry): string {
  return [
    e.time.toISOString(),
    `channel=${e.channelId}`,
    `slash=${e.offence}${e.watchOnly ? ' (watch only: no key)' : ''}`,
    `offender=${e.offender} (${e.offenderAddress})`,
    `evidence=v${e.version}`,
    e.offence === 'censorship' ? `forced=${e.against}` : `against=v${e.against}`,
    `tx=${e.tx ?? '-'}`,
    ...(e.error ? [`error=${e.error}`] : []),
  ].join(' ')
}

type SlasherOptions = {
  publicClient: ReadClient
  walletClient?: WriteClient
  address: Address
  channelId: Hex
  fromBlock?: bigint
  log?: (line: string, entry?: SlashLogEntry) => void
}
type ChannelFacts = { participants: readonly Address[]; disputeWindow: bigint }
type Evidence = Parameters<typeof sendSlash>[3]

/**
 * The watchtower's slashing (issue #12): the evidence it holds, sent once each and logged. A stale proposal (the
 * pending proposer had signed the newer checkpoint the tower holds; `decideStaleSlash`) and two checkpoints at one
 * version signed by one key (`conflictEvidence`, noted as the tower verifies what it holds). The slashed bond goes
 * where the contract sends it (the honest co-signers of the pending or final checkpoint), never to the tower.
 */
export class Slasher {
  /** conflicting signatures found among the held checkpoints, by offender (kept when old candidates are pruned) */
  private readonly conflicts = new Map<number, ConflictEvidence>()
  /** slashes mined (or, without a key, logged), by evidence key: never sent again */
  private readonly done = new Set<string>()
  /** the last failure per evidence key: the same failure is logged once */
  private readonly errors = new Map<string, string>()
  /** who proposed a pending digest, and when (from its log) */
  private readonly proposals = new Map<string, PendingProposal>()
  private forceDelay: bigint | undefined
  /** held checkpoints that leave out a forced record the chain has, by digest, until their record time is read */
  private readonly suspects = new Map<
    string,
    { checkpoint: SignedCheckpoint; valid: ReadonlyMap<number, Uint8Array> }
  >()
  /** forced record index → its chain time (s): never changes once recorded */
  private readonly recordTimes = new Map<bigint, bigint>()

  constructor(private readonly options: SlasherOptions) {}

  /** Held checkpoints (with their valid signatures) that leave out a forced record the chain holds: censorship? */
  noteSuspects(
    held: readonly { checkpoint: SignedCheckpoint; valid: ReadonlyMap<number, Uint8Array> }[],
    chainForcedCount: bigint,
  ): void {
    for (const h of held)
      if (h.checkpoint.forcedCount < chainForcedCount && h.valid.size > 0)
        this.suspects.set(h.checkpoint.digest.toLowerCase(), h)
  }

  /**
   * slashCensorship for every participant whose valid signature is on a held checkpoint that leaves out a forced
   * record already due at the checkpoint's time (`censorshipEvidence`), while evidence counts; once per offender.
   */
  async slashCensorship(
    info: ChannelFacts,
    chain: ChainView,
    slashed: readonly boolean[],
    blockNumber: bigint,
  ): Promise<SlashLogEntry[]> {
    if (this.suspects.size === 0 || chain.status === ChannelStatus.None) return []
    if (chain.status !== ChannelStatus.Open && chain.now >= chain.deadline + info.disputeWindow) return []
    const { publicClient, address, channelId } = this.options
    const held = [...this.suspects.values()]
    for (const index of censorshipIndexes(held, chain.forcedCount))
      if (!this.recordTimes.has(index)) {
        const record = await readContract(publicClient, {
          address,
          abi: channelSettlementAbi,
          functionName: 'getForcedOp',
          args: [channelId, index],
          blockNumber,
        })
        this.recordTimes.set(index, record.time)
      }
    this.forceDelay ??= await readContract(publicClient, {
      address,
      abi: channelSettlementAbi,
      functionName: 'forceInclusionDelay',
      args: [channelId],
      blockNumber,
    })
    const delay = this.forceDelay
    const found = censorshipEvidence(
      held,
      chain.forcedCount,
      (i) => this.recordTimes.get(i),
      delay,
      (i) => slashed[i] === true,
    )
    // a checkpoint whose first left-out record was not due at its time never will be: forget it
    for (const [key, h] of this.suspects) {
      const t = this.recordTimes.get(h.checkpoint.forcedCount)
      if (t !== undefined && h.checkpoint.time < (t + delay) * 1000n) this.suspects.delete(key)
    }
    const out: SlashLogEntry[] = []
    for (const e of found) {
      const s = await this.sendOnce(
        `censorship:${e.offender}`,
        {
          offence: 'censorship',
          offender: e.offender,
          offenderAddress: info.participants[e.offender]!,
          version: e.checkpoint.version,
          against: e.index,
        },
        { offence: 'censorship', censorship: e },
      )
      if (s) out.push(s)
    }
    return out
  }

  noteConflicts(found: readonly ConflictEvidence[]): void {
    for (const c of found) if (!this.conflicts.has(c.offender)) this.conflicts.set(c.offender, c)
  }

  /** slashStaleProposal when the pending (or final) proposer had signed `best`, newer and certified. */
  async slashStale(
    info: ChannelFacts,
    chain: ChainView,
    best: { checkpoint: SignedCheckpoint; valid: ReadonlyMap<number, Uint8Array> },
    slashed: readonly boolean[],
    blockNumber: bigint,
  ): Promise<SlashLogEntry[]> {
    if (chain.status !== ChannelStatus.Closing && chain.status !== ChannelStatus.Finalized) return []
    if (best.checkpoint.version <= chain.version || best.valid.size < chain.threshold) return []
    const { publicClient, address, channelId, fromBlock } = this.options
    const key = chain.digest.toLowerCase()
    let pending = this.proposals.get(key)
    if (!pending) {
      pending = await readPendingProposal(publicClient, {
        address,
        channelId,
        digest: chain.digest,
        ...(fromBlock === undefined ? {} : { fromBlock }),
      })
      if (!pending) return []
      this.proposals.set(key, pending)
    }
    this.forceDelay ??= await readContract(publicClient, {
      address,
      abi: channelSettlementAbi,
      functionName: 'forceInclusionDelay',
      args: [channelId],
      blockNumber,
    })
    const submitter = pending.submitter.toLowerCase()
    const proposer = info.participants.findIndex((p) => p.toLowerCase() === submitter)
    const d = decideStaleSlash(
      {
        status: chain.status,
        version: chain.version,
        digest: chain.digest,
        proposer: proposer < 0 ? undefined : proposer,
        proposedAt: pending.proposedAt,
        forceInclusionDelay: this.forceDelay,
        proposerSlashed: proposer >= 0 && slashed[proposer] === true,
        now: chain.now,
        evidenceClosesAt: chain.deadline + info.disputeWindow,
        threshold: chain.threshold,
      },
      best.checkpoint,
      new Set(best.valid.keys()),
    )
    if (!d.slash) return []
    const s = await this.sendOnce(
      `stale:${key}:${best.checkpoint.digest.toLowerCase()}`,
      {
        offence: 'stale-proposal',
        offender: d.offender,
        offenderAddress: info.participants[d.offender]!,
        version: d.version,
        against: d.against,
      },
      { offence: 'stale-proposal', held: best.checkpoint, signatures: best.valid },
    )
    return s ? [s] : []
  }

  /** slashCheckpoints for every participant seen signing two checkpoints at one version, while evidence counts. */
  async slashConflicts(
    info: ChannelFacts,
    chain: ChainView,
    slashed: readonly boolean[],
  ): Promise<SlashLogEntry[]> {
    if (chain.status === ChannelStatus.None) return []
    if (chain.status !== ChannelStatus.Open && chain.now >= chain.deadline + info.disputeWindow) return []
    const out: SlashLogEntry[] = []
    for (const c of this.conflicts.values()) {
      if (slashed[c.offender]) continue
      const a = c.a.checkpoint.digest.toLowerCase()
      const b = c.b.checkpoint.digest.toLowerCase()
      const s = await this.sendOnce(
        `conflict:${c.offender}:${a}:${b}`,
        {
          offence: 'checkpoint-conflict',
          offender: c.offender,
          offenderAddress: info.participants[c.offender]!,
          version: c.version,
          against: c.version,
        },
        { offence: 'checkpoint-conflict', conflict: c },
      )
      if (s) out.push(s)
    }
    return out
  }

  /** Sends a slash unless this evidence was mined already; logs each attempt (a repeated failure once). */
  private async sendOnce(
    key: string,
    what: Pick<SlashLogEntry, 'offence' | 'offender' | 'offenderAddress' | 'version' | 'against'>,
    evidence: Evidence,
  ): Promise<SlashLogEntry | undefined> {
    if (this.done.has(key)) return undefined
    const { publicClient, walletClient, address, channelId } = this.options
    const s: SlashLogEntry = { kind: 'slash', time: new Date(), channelId, ...what }
    if (!walletClient) {
      s.watchOnly = true
      this.done.add(key)
    } else {
      await sendSlash(walletClient, publicClient, { address, channelId }, evidence, s)
      if (!s.error) this.done.add(key)
      else if (this.errors.get(key) === s.error) return undefined
      else this.errors.set(key, s.error)
    }
    this.options.log?.(formatSlashLog(s), s)
    return s
  }
}
