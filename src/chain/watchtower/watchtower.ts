import type { Address, Hash, Hex } from 'viem'
import { getBlock, getChainId, readContract } from 'viem/actions'
import { bytesEqual, fromHex, toHex } from '../../core/bytes.ts'
import { checkpointDigest, type SignedCheckpoint } from '../../core/checkpoint.ts'
import { domainSeparator } from '../../core/eip712.ts'
import { recoverAddress } from '../../core/signature.ts'
import { confirmTransaction } from '../actions/confirmTransaction.ts'
import { proposeCheckpoint } from '../actions/proposeCheckpoint.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import { getChannelInfo } from '../readers/getChannelInfo.ts'
import { getParticipantInfo } from '../readers/getParticipantInfo.ts'
import { getSessionKeyRange, type SessionKeyRange, signsVersion } from '../readers/getSessionKeyRange.ts'
import { ChannelStatus, type ReadClient, type WriteClient } from '../types.ts'
import { type ChainView, type Decision, decideChallenge, type HeldView } from './decide.ts'
import { conflictEvidence } from './decideSlash.ts'
import { errorLine, Slasher, type SlashLogEntry } from './slashing.ts'

export type { SlashLogEntry } from './slashing.ts'

export type WatchtowerLogEntry = {
  /** local wall-clock time of the decision */
  time: Date
  channelId: Hex
  /** the chain's clock (latest block timestamp) the decision was taken at */
  chainTime: bigint
  status: 'unknown' | 'open' | 'closing' | 'finalized'
  /** on-chain checkpoint version and deadline (0 while open) */
  chainVersion: bigint
  deadline: bigint
  /** the checkpoint the decision was about, if the tower holds any */
  held: { version: bigint; digest: Hex; validSignatures: number } | undefined
  decision: Decision
  /** the challenge transaction, when one was sent */
  tx?: Hash
  /** what went wrong sending or mining it (a decoded revert's short message) */
  error?: string
  /** a challenge was due but the tower has no wallet client */
  watchOnly?: boolean
  /** the slashes this poll sent (each also logged as its own line) */
  slashes: SlashLogEntry[]
}

export type WatchtowerOptions = {
  /** reads the chain (a PublicClient, wagmi's client) */
  publicClient: ReadClient
  /** sends the challenge and pays its gas; without one the tower only logs what it would do */
  walletClient?: WriteClient
  /** the ChannelSettlement deployment */
  address: Address
  channelId: Hex
  /** between polls of the chain and the store (ms, default 2,000) */
  intervalMs?: number
  /** a challenge with this many seconds or fewer left before the deadline is logged as urgent (default 300) */
  marginSeconds?: bigint
  /** called on every poll for more checkpoints (the Node store reader; the app may instead call `hold`) */
  loadCheckpoints?: () => Promise<readonly SignedCheckpoint[]>
  /** where to look for the proposal logs that name the pending checkpoint's proposer (default 0) */
  fromBlock?: bigint
  /**
   * one line per decision and per slash, with the structured entry; also a line (no entry) for a checkpoint it
   * refuses to use. Default: nothing.
   */
  log?: (line: string, entry?: WatchtowerLogEntry | SlashLogEntry) => void
}

type Verified = { checkpoint: SignedCheckpoint; valid: Map<number, Uint8Array>; digestOk: boolean }

/** Most distinct signatures kept per participant index of one candidate (the oldest goes first). */
const MAX_OFFERED_PER_INDEX = 8

/**
 * A held checkpoint's key: its claimed digest and every field. Keyed by the digest alone, a checkpoint offered first
 * with other fields under the genuine digest took the genuine one's place for good (it never verifies).
 */
function candidateKey(cp: SignedCheckpoint): string {
  const hex = (b: Uint8Array) => toHex(b)
  return [
    cp.digest.toLowerCase(),
    cp.version,
    hex(cp.leader),
    cp.time,
    cp.depositCount,
    cp.forcedCount,
    hex(cp.stateRoot),
    hex(cp.balancesRoot),
  ].join(':')
}

/**
 * Watches one channel and challenges any on-chain proposal, emergency exit or escape that is older than the newest
 * certified checkpoint it has been given, before the deadline. Works in the browser (any viem clients) and in Node
 * (scripts/watchtower.ts with the on-disk store).
 *
 * Checkpoints come from `hold` (e.g. `replica.latestCertified()`) and from `loadCheckpoints`. Before using one the
 * tower recomputes its EIP-712 digest for this chain, contract and channel and keeps only the signatures that
 * recover to the participants' on-chain session keys, so it never sends what the contract would refuse (the
 * decision is `decideChallenge`; the write simulates first as well). Every decision that differs from the previous
 * one, and every transaction, is logged as one line. A challenge that fails (refused by the simulation, no gas, a
 * dead RPC) is tried again on the next poll while it is due; the same failure is logged once.
 */
export class Watchtower {
  private readonly candidates = new Map<string, SignedCheckpoint>()
  /**
   * per candidate, every distinct signature offered per participant index (up to MAX_OFFERED_PER_INDEX): junk offered
   * first at an index must not keep the genuine signature offered later out (verification picks a valid one)
   */
  private readonly offered = new Map<string, Map<number, Uint8Array[]>>()
  private readonly verified = new Map<string, Verified>()
  private sessionKeys: Hex[] | undefined
  /** on-chain validity ranges of the keys seen signing (issue #12: a rotated key only signs versions below its until) */
  private readonly keyRanges = new Map<string, SessionKeyRange>()
  private separator: Uint8Array | undefined
  private lastLogKey: string | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private current: Promise<WatchtowerLogEntry> | undefined
  private readonly intervalMs: number
  private readonly marginSeconds: bigint
  /** per participant index, whether the contract slashed it (read every poll) */
  private slashedFlags: boolean[] = []
  private readonly slasher: Slasher

  constructor(private readonly options: WatchtowerOptions) {
    this.intervalMs = options.intervalMs ?? 2_000
    this.marginSeconds = options.marginSeconds ?? 300n
    this.slasher = new Slasher(options)
  }

  /**
   * Offers a signed checkpoint (any version; the newest certified one is used). Signatures of one checkpoint (same
   * digest and fields) add up; every distinct signature offered at an index is kept until one verifies there, so
   * junk offered first (an untrusted store or exporter) cannot keep a genuine signature offered later out.
   */
  hold(signed: SignedCheckpoint): void {
    const floor = this.best && this.best.valid.size > 0 ? this.best.checkpoint.version : 0n
    if (signed.version < floor) return
    const key = candidateKey(signed)
    let offered = this.offered.get(key)
    if (!offered) {
      offered = new Map()
      this.offered.set(key, offered)
      this.candidates.set(key, { ...signed, signatures: new Map() })
    }
    let added = false
    for (const [i, sig] of signed.signatures) {
      const list = offered.get(i) ?? []
      if (list.some((x) => bytesEqual(x, sig))) continue
      list.push(sig)
      if (list.length > MAX_OFFERED_PER_INDEX) list.shift()
      offered.set(i, list)
      added = true
    }
    if (added) this.verified.delete(key)
  }

  /** The held checkpoint a challenge would use now: the newest with a quorum of valid signatures, if known. */
  get held(): SignedCheckpoint | undefined {
    return this.best?.checkpoint
  }
  private best: Verified | undefined

  /** Polls every `intervalMs` until `stop`. */
  start(): void {
    if (this.running) return
    this.running = true
    const loop = async () => {
      if (!this.running) return
      try {
        await this.poll()
      } catch (e) {
        // a dead RPC or a failed read: say so and try again next time
        const why =
          e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e)
        this.options.log?.(
          `${new Date().toISOString()} channel=${this.options.channelId} poll failed: ${why.split('\n')[0]}`,
        )
      }
      if (this.running) this.timer = setTimeout(loop, this.intervalMs)
    }
    void loop()
  }

  /** Stops polling; resolves once a poll in progress (and a challenge it is sending) has finished. */
  async stop(): Promise<void> {
    this.running = false
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.current?.catch(() => undefined)
  }

  /** One round: read the chain and the store, decide, challenge if due (waiting for the receipt), log. */
  poll(): Promise<WatchtowerLogEntry> {
    if (this.current) return this.current
    const p = this.pollOnce().finally(() => {
      this.current = undefined
    })
    this.current = p
    return p
  }

  private async pollOnce(): Promise<WatchtowerLogEntry> {
    const { publicClient, address, channelId } = this.options
    const block = await getBlock(publicClient, { blockTag: 'latest' })
    const info = await getChannelInfo(publicClient, { address, channelId, blockNumber: block.number })
    if (this.options.loadCheckpoints) for (const cp of await this.options.loadCheckpoints()) this.hold(cp)

    const chain: ChainView = {
      status: info.status as ChannelStatus,
      version: info.checkpoint.version,
      digest: info.checkpoint.digest,
      deadline: info.deadline,
      now: block.timestamp,
      threshold: info.threshold,
      depositCount: info.depositCount,
      forcedCount: info.forcedCount,
    }
    if (chain.status !== ChannelStatus.None)
      await this.verifyCandidates(info.participants, info.threshold, info.forcedCount)
    const best = this.best
    const held: HeldView | undefined = best && {
      version: best.checkpoint.version,
      digest: best.checkpoint.digest,
      validSignatures: best.digestOk ? best.valid.size : 0,
      depositCount: best.checkpoint.depositCount,
      forcedCount: best.checkpoint.forcedCount,
    }
    if (held && held.forcedCount < info.forcedCount)
      held.excludedForcedDueAt = await this.forcedDueAt(held.forcedCount, block.number)
    const decision = decideChallenge(chain, held, this.marginSeconds)
    const entry: WatchtowerLogEntry = {
      time: new Date(),
      channelId,
      chainTime: chain.now,
      status: (['unknown', 'open', 'closing', 'finalized'] as const)[chain.status] ?? 'unknown',
      chainVersion: chain.version,
      deadline: chain.deadline,
      held: held && { version: held.version, digest: held.digest, validSignatures: held.validSignatures },
      decision,
      slashes: [],
    }
    // the stale proposer's bond first: once challenged, the challenger is the proposer and the evidence is moot
    if (!(decision.action === 'challenge' && decision.urgent) && best)
      entry.slashes.push(
        ...(await this.slasher.slashStale(info, chain, best, this.slashedFlags, block.number)),
      )
    if (decision.action === 'challenge' && best) {
      const wallet = this.options.walletClient
      if (!wallet) entry.watchOnly = true
      else {
        try {
          entry.tx = await proposeCheckpoint(wallet, {
            address,
            channelId,
            checkpoint: best.checkpoint,
            signatures: best.valid,
          })
          await confirmTransaction(publicClient, { hash: entry.tx })
        } catch (e) {
          entry.error = errorLine(e)
        }
      }
    }
    this.report(entry, chain.digest)
    entry.slashes.push(...(await this.slasher.slashConflicts(info, chain, this.slashedFlags)))
    entry.slashes.push(...(await this.slasher.slashCensorship(info, chain, this.slashedFlags, block.number)))
    return entry
  }

  private report(entry: WatchtowerLogEntry, chainDigest: Hex): void {
    const d = entry.decision
    const key = [
      entry.status,
      entry.chainVersion,
      chainDigest,
      entry.deadline,
      entry.held?.digest,
      entry.held?.validSignatures,
      d.action,
      d.action === 'none' ? d.reason : d.version,
      entry.error,
    ].join(':')
    // a sent transaction is always logged; a repeated decision (or the same failure again) is not
    if (key === this.lastLogKey && entry.tx === undefined) return
    this.lastLogKey = key
    this.options.log?.(formatWatchtowerLog(entry), entry)
  }

  /** When forced record `index` becomes overdue: its record time plus the channel's force-inclusion delay. */
  private async forcedDueAt(index: bigint, blockNumber: bigint): Promise<bigint> {
    const { publicClient, address, channelId } = this.options
    const [record, delay] = await Promise.all([
      readContract(publicClient, {
        address,
        abi: channelSettlementAbi,
        functionName: 'getForcedOp',
        args: [channelId, index],
        blockNumber,
      }),
      readContract(publicClient, {
        address,
        abi: channelSettlementAbi,
        functionName: 'forceInclusionDelay',
        args: [channelId],
        blockNumber,
      }),
    ])
    return record.time + delay
  }

  private async verifyCandidates(
    participants: readonly Address[],
    threshold: number,
    chainForcedCount: bigint,
  ): Promise<void> {
    const { publicClient, address, channelId } = this.options
    if (!this.separator) {
      const chainId = BigInt(publicClient.chain?.id ?? (await getChainId(publicClient)))
      this.separator = domainSeparator({ chainId, verifyingContract: address })
    }
    // the current keys, read every poll: a rotation changes which signatures count, so verdicts are redone
    const keys: Hex[] = []
    const slashedFlags: boolean[] = []
    for (const participant of participants) {
      const p = await getParticipantInfo(publicClient, { address, channelId, participant })
      keys.push(p.sessionKey.toLowerCase() as Hex)
      slashedFlags.push(p.slashed)
    }
    this.slashedFlags = slashedFlags
    if (this.sessionKeys?.join() !== keys.join()) {
      this.sessionKeys = keys
      this.keyRanges.clear()
      this.verified.clear()
    }
    const id = fromHex(channelId, 32)
    let best: Verified | undefined
    let bestCertified: Verified | undefined
    for (const [key, cp] of this.candidates) {
      let v = this.verified.get(key)
      if (!v) {
        const digest = toHex(checkpointDigest(this.separator, id, cp))
        const digestOk = digest === cp.digest.toLowerCase()
        const valid = new Map<number, Uint8Array>()
        if (digestOk)
          for (const [i, sigs] of this.offered.get(key) ?? []) {
            const participant = participants[i]
            if (participant === undefined) continue
            for (const sig of sigs) {
              const signer = recoverAddress(fromHex(digest, 32), sig)
              if (!signer.startsWith('0x')) continue
              let range = this.keyRanges.get(signer)
              if (!range) {
                range = await getSessionKeyRange(publicClient, {
                  address,
                  channelId,
                  sessionKey: signer as Hex,
                })
                this.keyRanges.set(signer, range)
              }
              if (signsVersion(range, participant, cp.version)) {
                valid.set(i, sig)
                break
              }
            }
          }
        // the checkpoint's signatures are the valid ones (what a challenge sends and the slashes read)
        cp.signatures = valid
        v = { checkpoint: cp, valid, digestOk }
        this.verified.set(key, v)
        if (!digestOk)
          this.options.log?.(
            `${new Date().toISOString()} channel=${channelId} ignoring held v${cp.version} ${cp.digest.toLowerCase()}: not the digest of its fields for this chain, contract and channel`,
          )
      }
      if (!v.digestOk) continue
      if (!best || newer(v.checkpoint, best.checkpoint)) best = v
      if (v.valid.size >= threshold && (!bestCertified || newer(v.checkpoint, bestCertified.checkpoint)))
        bestCertified = v
    }
    this.best = bestCertified ?? best
    // two digests at one version signed by one key: evidence, kept even when the candidates are pruned below
    const usable = [...this.verified.entries()]
      .filter(([key, v]) => v.digestOk && this.candidates.has(key))
      .map(([, v]) => v)
    this.slasher.noteConflicts(conflictEvidence(usable, (i) => this.slashedFlags[i] === true))
    // a signature on a checkpoint leaving out a forced record the chain has: censorship, if the record was due
    this.slasher.noteSuspects(usable, chainForcedCount)
    // forget what can no longer matter: anything older than the newest certified checkpoint
    if (bestCertified)
      for (const [key, cp] of this.candidates)
        if (cp.version < bestCertified.checkpoint.version) {
          this.candidates.delete(key)
          this.offered.delete(key)
          this.verified.delete(key)
        }
  }
}

/** Higher version, or the same version with the lower digest (the contract's order). */
function newer(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return a.version !== b.version ? a.version > b.version : BigInt(a.digest) < BigInt(b.digest)
}

/**
 * One log line: `<ISO time> channel=<id> chain=v<version> <status> deadline=<unix s> (<n> s left|passed)
 * held=v<version> (<n> valid sigs)|none action=<action> tx=<hash>|- [error=…]`.
 */
export function formatWatchtowerLog(e: WatchtowerLogEntry): string {
  const d = e.decision
  const left =
    e.status !== 'closing'
      ? ''
      : e.chainTime < e.deadline
        ? ` (${e.deadline - e.chainTime} s left)`
        : ' (passed)'
  const held = e.held ? `v${e.held.version} (${e.held.validSignatures} valid sigs)` : 'none'
  const action =
    d.action === 'none'
      ? `none (${d.reason})`
      : d.action === 'too-late'
        ? `too-late v${d.version}`
        : `challenge v${d.version}${d.urgent ? ' (urgent)' : ''}${e.watchOnly ? ' (watch only: no key)' : ''}`
  return [
    e.time.toISOString(),
    `channel=${e.channelId}`,
    `chain=v${e.chainVersion} ${e.status}`,
    `deadline=${e.deadline}${left}`,
    `held=${held}`,
    `action=${action}`,
    `tx=${e.tx ?? '-'}`,
    ...(e.error ? [`error=${e.error}`] : []),
  ].join(' ')
}
