import { fromHex, type Hex, toHex } from '../bytes.ts'
import {
  censoredRecord,
  type ForcedQueueWatermark,
  type ForcedRecordTime,
  forcedVerdict,
  forceInclusionDelay,
} from '../censorship.ts'
import type { Channel } from '../channel.ts'
import { type Checkpoint, checkpointDigest, type SignedCheckpoint } from '../checkpoint.ts'
import { closeDigestOf } from '../close.ts'
import { CloseBook } from '../closeBook.ts'
import type { Dag } from '../dag.ts'
import type { Node } from '../dagNode.ts'
import { checkpointStateRoot } from '../finalWindow.ts'
import type { KeyEpoch } from '../keys.ts'
import { type CheckpointOp, type CloseOp, OpTag } from '../ops.ts'
import { balancesTree, stateRoot } from '../roots.ts'
import { recoverAddress, signDigest } from '../signature.ts'
import type { ChannelState } from '../state.ts'
import { CheckpointList } from './checkpointList.ts'

/** A checkpoint signature that contradicts another by the same key, or the checkpoint every honest replica computed. */
export type CheckpointConflict = {
  author: number
  version: bigint
  /** the conflicting checkpoints, each with the author's signature */
  a: { checkpoint: Checkpoint; signature: Uint8Array }
  b: { checkpoint: Checkpoint; signature: Uint8Array } | undefined
}

/**
 * q participants signed one checkpoint digest at `version` that is not the one this replica computed (Checkpointer.
 * divergence).
 */
export type Divergence = { version: bigint; digest: Hex; signers: number }

/** per author, signed checkpoints kept for the newest this many versions it signed (older ones are forgotten) */
const VERSIONS_KEPT = 256
type DueCheckpoint = { version: bigint; leader: Node; time: bigint; position: number; windowRoot: Uint8Array }
type SeenSignature = { checkpoint: Checkpoint; digest: Hex; signature: Uint8Array }

/**
 * Checkpoints: when a committed leader makes one due (a CheckpointRequest became final, or the channel clock advanced
 * the interval with new final ops), its derivation from the state at that position, this replica's signature of
 * each version (never two digests at one version), and the tally of everyone's signatures with the conflicts.
 */
export class Checkpointer {
  /** checkpoints computed from commits, by version, with the valid signatures gathered for each (forgetBelow) */
  readonly checkpoints = new CheckpointList()
  /** signatures over checkpoints that differ from the computed one, or two digests by one key at one version */
  readonly checkpointConflicts: CheckpointConflict[] = []
  /** per author and version: the first two distinct signed checkpoints seen */
  readonly seenSignatures = new Map<string, SeenSignature[]>()
  /** per author: the versions it has entries for in seenSignatures */
  private readonly signedVersionsBy: bigint[][] = []
  readonly due: DueCheckpoint[] = []
  opsSinceCheckpoint = 0
  lastCheckpointTime = 0n
  checkpointRequested = false
  /**
   * every version up to this one the local author signed or passed over: never signed (again). Versions are computed
   * in ascending order and signNext signs the newest, so what was signed or passed over is always a prefix.
   */
  signedThrough = 0n
  /** computed checkpoints the local author has yet to sign */
  readonly toSign: Checkpoint[] = []
  /**
   * Checkpoints this replica refused to sign because they leave out forced record `index`, due at their channel time
   * (censorship.ts: the contract would slash the signature).
   */
  readonly censorshipRefusals: { version: bigint; index: bigint }[] = []
  /** forced record index → the block time (s) the contract recorded it at, as the store read it (noteForcedQueue) */
  private readonly forcedTimes = new Map<bigint, bigint>()
  /** the newest read of the forced queue: its count as of a chain time (censorship.ts forcedVerdict) */
  private forcedWatermark: { count: bigint; asOfChainTime: bigint } | undefined
  /** cooperative close (issue #12): the Close signatures seen in accepted blocks, by checkpoint */
  readonly closes = new CloseBook()
  private readonly n: number

  constructor(
    private readonly channel: Channel,
    private readonly dag: Dag,
    private readonly checkpointIntervalMs: bigint,
    /** the local author's index, when this replica signs (it has an author key) */
    private readonly signer: number | undefined,
    /**
     * whether signing waits for fresh knowledge of the chain's forced queue (forcedVerdict); false only where there is
     * no chain (tests, benchmarks, the simulator), where it signs unless a record it was told of is due
     */
    private readonly watchForcedQueue: boolean,
  ) {
    this.n = channel.config.participants.length
  }

  private get signs(): boolean {
    return this.signer !== undefined
  }

  /** per version and digest: who signed a digest other than the computed one (admitSignature) */
  private readonly contradictions = new Map<bigint, Map<Hex, Set<number>>>()
  private diverged: Divergence | undefined

  /**
   * The lowest version at which q participants signed one digest other than the one this replica computed. Every
   * honest replica computes the same checkpoint, so with fewer than 2q − n Byzantine participants at least one honest
   * one signed it: this replica's state left the channel's. Honest code from genesis never gets here; a replica
   * restored from a Byzantine peer's base can (CONTEXT.md, "What remains the peer's word"), and its runtime then
   * restores from another base (store/rejoin.ts).
   */
  divergence(): Divergence | undefined {
    return this.diverged
  }

  /** Counts a final, non-void block's ops toward the next checkpoint (a CheckpointRequest asks for one). */
  countFinal(x: Node): void {
    for (const op of x.block.ops)
      if (op.tag === OpTag.CheckpointRequest) this.checkpointRequested = true
      else if (op.tag !== OpTag.Checkpoint && op.tag !== OpTag.RotateKey && op.tag !== OpTag.Close)
        this.opsSinceCheckpoint++
  }

  /**
   * After a committed leader (the order's final prefix now ends at `position`): a checkpoint there, if one is due;
   * `windowRoot` gives the final window's root as of this leader (finalWindow.ts).
   */
  afterLeader(leader: Node, clock: bigint, position: number, windowRoot: () => Uint8Array): void {
    const dueByTime =
      this.opsSinceCheckpoint > 0 && clock - this.lastCheckpointTime >= this.checkpointIntervalMs
    if (!(this.checkpointRequested || dueByTime)) return
    this.due.push({
      version: this.checkpoints.latestVersion + BigInt(this.due.length) + 1n,
      leader,
      time: clock,
      position,
      windowRoot: windowRoot(),
    })
    this.checkpointRequested = false
    this.opsSinceCheckpoint = 0
    this.lastCheckpointTime = clock
  }

  /** Computes the due checkpoints from the states at their positions (`stateAt`, inside the applied prefix). */
  computeDue(stateAt: (position: number) => ChannelState): void {
    while (this.due.length > 0) {
      const d = this.due.shift()!
      const state = stateAt(d.position)
      const cp: Checkpoint = {
        version: d.version,
        leader: d.leader.id,
        time: d.time,
        depositCount: state.depositCount,
        forcedCount: state.forcedCount,
        stateRoot: checkpointStateRoot(stateRoot(state), d.windowRoot),
        balancesRoot: balancesTree(state, d.version).root,
      }
      const digest = toHex(checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp))
      const signed: SignedCheckpoint = { ...cp, digest, signatures: new Map(), windowRoot: d.windowRoot }
      this.checkpoints.push(signed)
      for (let a = 0; a < this.n; a++)
        for (const s of this.seenSignatures.get(`${a}:${cp.version}`) ?? []) this.admitSignature(a, s)
      if (this.signs && cp.version > this.signedThrough) this.toSign.push(cp)
    }
  }

  /** Verifies checkpoint-op signatures once, at acceptance, and files them by (author, version). */
  checkOps(node: Node): void {
    const ops = node.block.ops
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!
      if (op.tag === OpTag.Close) {
        this.fileClose(node.author, op)
        continue
      }
      if (op.tag !== OpTag.Checkpoint) continue
      const cp = checkpointOf(op)
      const digest = toHex(checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp))
      const key = this.dag.keys.keyForVersion(node.author, cp.version)
      if (!this.dag.signedBy(fromHex(digest, 32), op.signature, key)) {
        node.badCheckpointOps ??= new Set()
        node.badCheckpointOps.add(i)
        continue
      }
      this.fileSignature(node.author, { checkpoint: cp, digest, signature: op.signature })
    }
  }

  private fileClose(author: number, op: CloseOp): void {
    const digest = closeDigestOf(this.channel, op.version, op.checkpointDigest)
    const key = this.dag.keys.keyForVersion(author, op.version)
    if (this.dag.signedBy(digest, op.signature, key))
      this.closes.file(author, op.version, toHex(op.checkpointDigest), op.signature)
  }

  private fileSignature(author: number, s: SeenSignature): void {
    // our own key's signature in a block (one written before a restart from a peer's base, or by another device):
    // that version counts as signed, so this replica never signs a second digest at it — a replica restored after
    // it diverged computes another digest there (divergence)
    if (author === this.signer) this.passOver(s.checkpoint.version)
    const key = `${author}:${s.checkpoint.version}`
    const seen = this.seenSignatures.get(key) ?? []
    if (seen.some((x) => x.digest === s.digest) || seen.length >= 2) return
    seen.push(s)
    if (seen.length === 1) {
      // bounded per author whatever versions a Byzantine key signs: forget its lowest one
      const versions = this.signedVersionsBy[author] ?? []
      this.signedVersionsBy[author] = versions
      versions.push(s.checkpoint.version)
      if (versions.length > VERSIONS_KEPT) {
        let low = 0
        for (let i = 1; i < versions.length; i++) if (versions[i]! < versions[low]!) low = i
        const dropped = versions.splice(low, 1)[0]!
        if (dropped === s.checkpoint.version) return
        this.seenSignatures.delete(`${author}:${dropped}`)
      }
    }
    this.seenSignatures.set(key, seen)
    if (seen.length === 2)
      this.checkpointConflicts.push({
        author,
        version: s.checkpoint.version,
        a: { checkpoint: seen[0]!.checkpoint, signature: seen[0]!.signature },
        b: { checkpoint: s.checkpoint, signature: s.signature },
      })
    this.admitSignature(author, s)
  }

  /** Counts a signature toward the computed checkpoint of its version, or records it as contradicting it. */
  private admitSignature(author: number, s: SeenSignature): void {
    const cp = this.checkpoints.get(s.checkpoint.version)
    if (!cp) return
    if (cp.digest === s.digest) {
      if (!cp.signatures.has(author)) cp.signatures.set(author, s.signature)
      // one copy of the checkpoint's fields for every signer of it
      s.checkpoint = cp
    } else if (
      !this.checkpointConflicts.some((c) => c.author === author && c.version === s.checkpoint.version)
    ) {
      this.checkpointConflicts.push({
        author,
        version: s.checkpoint.version,
        a: { checkpoint: s.checkpoint, signature: s.signature },
        b: undefined,
      })
      this.tallyContradiction(author, s.checkpoint.version, s.digest)
    }
  }

  /** One more author signed `digest`, not the computed one, at `version` (at most once per author and version). */
  private tallyContradiction(author: number, version: bigint, digest: Hex): void {
    const byDigest = this.contradictions.get(version) ?? new Map<Hex, Set<number>>()
    this.contradictions.set(version, byDigest)
    const signers = byDigest.get(digest) ?? new Set<number>()
    byDigest.set(digest, signers)
    signers.add(author)
    if (signers.size < this.channel.config.threshold) return
    if (!this.diverged || version < this.diverged.version)
      this.diverged = { version, digest, signers: signers.size }
    else if (version === this.diverged.version && digest === this.diverged.digest)
      this.diverged.signers = signers.size
  }

  /**
   * Signs the newest computed checkpoint not signed yet (as `author`, with the key `keyFor` its version) and returns
   * the op for the block being sealed: one signature per block keeps blocks under MAX_CHECKPOINT_OPS_PER_BLOCK
   * however far behind this replica was. Older unsigned versions are passed over for good (a newer one supersedes
   * them on chain); a version is never signed twice.
   */
  signNext(author: number, keyFor: (version: bigint) => Uint8Array): CheckpointOp | undefined {
    const cp = this.newestToSign()
    if (!cp) return undefined
    const verdict = this.forcedVerdictOf(cp)
    if (verdict.kind === 'defer') {
      // older versions are passed over as usual; this one waits for a fresh read of the forced queue
      for (const c of this.toSign) if (c !== cp) this.passOver(c.version)
      this.toSign.length = 0
      this.toSign.push(cp)
      return undefined
    }
    for (const c of this.toSign) this.passOver(c.version)
    this.toSign.length = 0
    if (verdict.kind === 'refuse') {
      this.censorshipRefusals.push({ version: cp.version, index: verdict.index })
      return undefined
    }
    const digest = checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp)
    const signature = signDigest(digest, keyFor(cp.version))
    this.fileSignature(author, { checkpoint: cp, digest: toHex(digest), signature })
    return { tag: OpTag.Checkpoint, ...cp, signature }
  }

  /**
   * The local author's block `x` expired (never final; replicas that hold it only as a header never read its ops):
   * the signature it carried of the newest version this author signed is offered to signNext again, over the same
   * digest (never another one at that version), so the next block carries it. A signature of an older version stays
   * passed over: the newer one supersedes it on chain.
   */
  reofferExpired(x: Node): void {
    if (!this.signs) return
    for (const op of x.block.ops) {
      if (op.tag !== OpTag.Checkpoint || op.version !== this.signedThrough) continue
      const cp = checkpointOf(op)
      const digest = toHex(checkpointDigest(this.channel.domainSeparator, this.channel.channelId, cp))
      if (this.checkpoints.get(cp.version)?.digest !== digest) continue
      if (!this.toSign.some((c) => c.version === cp.version)) this.toSign.push(cp)
    }
  }

  private passOver(version: bigint): void {
    if (version > this.signedThrough) this.signedThrough = version
  }

  /** The newest checkpoint waiting for a fresh enough read of the forced queue before it is signed, and why. */
  get deferred(): { version: bigint; reason: 'no-read' | 'stale' | 'unknown-record' } | undefined {
    const cp = this.newestToSign()
    if (!cp || !this.watchForcedQueue) return undefined
    const verdict = this.forcedVerdictOf(cp)
    return verdict.kind === 'defer' ? { version: cp.version, reason: verdict.reason } : undefined
  }

  /** Whether signNext would do something now: sign or refuse the newest checkpoint to sign (not defer it). */
  readyToSign(): boolean {
    const cp = this.newestToSign()
    if (!cp) return false
    return !this.watchForcedQueue || this.forcedVerdictOf(cp).kind !== 'defer'
  }

  private newestToSign(): Checkpoint | undefined {
    let cp = this.toSign[0]
    for (const c of this.toSign) if (c.version > cp!.version) cp = c
    return cp
  }

  private forcedVerdictOf(cp: Checkpoint): ReturnType<typeof forcedVerdict> {
    const delay = forceInclusionDelay(this.channel.config.params.disputeWindow)
    if (this.watchForcedQueue) return forcedVerdict(cp, this.forcedWatermark, this.forcedTimes, delay)
    const censored = censoredRecord(
      cp,
      Array.from(this.forcedTimes, ([index, time]) => ({ index, time })),
      delay,
    )
    return censored === undefined ? { kind: 'sign' } : { kind: 'refuse', index: censored }
  }

  /** See Replica.noteForcedQueue. */
  noteForcedQueue(w: ForcedQueueWatermark): void {
    this.noteForcedTimes(w.records)
    const old = this.forcedWatermark
    if (
      old === undefined ||
      w.asOfChainTime > old.asOfChainTime ||
      (w.asOfChainTime === old.asOfChainTime && w.count > old.count)
    )
      this.forcedWatermark = { count: w.count, asOfChainTime: w.asOfChainTime }
  }

  /** See Replica.forcedReadFrom. */
  forcedReadFrom(included: bigint): bigint {
    let from = included
    for (const c of this.toSign) if (c.forcedCount < from) from = c.forcedCount
    return from
  }

  /** See Replica.noteForcedTimes. */
  noteForcedTimes(records: Iterable<ForcedRecordTime>): void {
    for (const r of records) if (!this.forcedTimes.has(r.index)) this.forcedTimes.set(r.index, r.time)
  }

  /**
   * A rotation learned for `author`: signatures it gathered at versions from the rotation's fromVersion on that are
   * not by the key for their version no longer count.
   */
  dropReplacedSignatures(author: number, epoch: KeyEpoch): void {
    for (const cp of this.checkpoints) {
      const sig = cp.version >= epoch.fromVersion ? cp.signatures.get(author) : undefined
      if (
        sig &&
        recoverAddress(fromHex(cp.digest, 32), sig) !== this.dag.keys.keyForVersion(author, cp.version)
      )
        cp.signatures.delete(author)
    }
  }

  /** The highest version computed, due or signed by the local author. */
  highestVersion(): bigint {
    const version = this.checkpoints.latestVersion + BigInt(this.due.length)
    return version > this.signedThrough ? version : this.signedThrough
  }

  /** The newest checkpoint with signatures by at least q participants: what can be proposed on chain. */
  latestCertified(): SignedCheckpoint | undefined {
    const q = this.channel.config.threshold
    return this.checkpoints.newest((cp) => cp.signatures.size >= q)
  }

  /** The newest checkpoint signed by every participant (what an emergency exit needs). */
  latestFullySigned(): SignedCheckpoint | undefined {
    return this.checkpoints.newest((cp) => cp.signatures.size === this.n)
  }

  /**
   * After pruning at certified checkpoint `version`: forgets the computed records below it that nothing can need
   * any more (CONTEXT.md "Which checkpoint records a pruned replica keeps"). Kept: `alsoKeep` (the versions whose
   * states the pruning retained), the newest fully signed one (emergency exit), the newest close asked for, per
   * participant the newest record carrying its signature (a proposal or exit it makes below that version is
   * slashable) and, per participant and per forced count below the newest record's, the newest record it signed
   * with that count (it may have left out a forced record that was due: censorship evidence). Signatures seen for
   * forgotten versions stay in seenSignatures (its own bound): two digests by one key at one version stay provable.
   */
  forgetBelow(version: bigint, alsoKeep: Iterable<bigint>): void {
    const keep = new Set(alsoKeep)
    const full = this.latestFullySigned()
    if (full) keep.add(full.version)
    const close = this.closes.list()[0]
    if (close) keep.add(close.version)
    const newestForced = this.checkpoints.newest(() => true)?.forcedCount ?? 0n
    const bySigner = new Map<string, bigint>()
    for (const cp of this.checkpoints)
      for (const a of cp.signatures.keys()) {
        bySigner.set(`${a}`, cp.version)
        if (cp.forcedCount < newestForced) bySigner.set(`${a}:${cp.forcedCount}`, cp.version)
      }
    for (const v of bySigner.values()) keep.add(v)
    this.checkpoints.forgetBelow(version, keep)
  }
}

function checkpointOf(op: CheckpointOp): Checkpoint {
  return {
    version: op.version,
    leader: op.leader,
    time: op.time,
    depositCount: op.depositCount,
    forcedCount: op.forcedCount,
    stateRoot: op.stateRoot,
    balancesRoot: op.balancesRoot,
  }
}
