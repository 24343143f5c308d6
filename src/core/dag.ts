import { type Block, BlockDecodeError, blockId, decodeBlock } from './block.ts'
import { BlockBuffer } from './blockBuffer.ts'
import { bytesEqual, type Hex, toHex } from './bytes.ts'
import type { Channel } from './channel.ts'
import { markLate } from './citation.ts'
import { makeNode, type Node, prevOnly, refIds } from './dagNode.ts'
import { type Equivocation, recordEvidence } from './equivocation.ts'
import { type KeyEpoch, KeyRegistry, rotationOf, sameRotation } from './keys.ts'
import { countVotes } from './leaderVotes.ts'
import { dropFrom, entry } from './mapEntry.ts'
import type { RotateKeyOp } from './ops.ts'
import type { IngressReject, ReceiveResult } from './receiveResult.ts'
import { lateSlackFor, REF_DEPTH } from './refDepth.ts'
import { recoverAddress } from './signature.ts'

export type DagOptions = {
  /** blocks with unknown ancestors kept per author; the oldest are evicted beyond this */
  bufferPerAuthor?: number
  /** called for every block that joins the DAG, before anything else looks at it (a transport relays it) */
  onAccept?: (node: Node) => void
  /** the reference depth D (default REF_DEPTH); every replica of a channel must use the same */
  refDepth?: number
  /** the late slack K (default lateSlackFor(n)); the expiry rule reads it, so every replica of a channel must use the same */
  lateSlack?: number
}

/**
 * The validated block DAG: ingress checks (encoding, domain, author, signature), a bounded per-author buffer
 * for blocks whose ancestors are unknown, the round rules, per-slot indexes, votes and certificates for leader
 * slots, and equivocation evidence. It decides nothing about order; the committer reads it.
 *
 * Round rules, checked once every reference is known: every reference has a lower round than the block; prev is
 * the author's block at seq − 1; a block of round r ≥ 2 references blocks of round r − 1 by at least q distinct
 * authors; every parent (the prev excepted) has a round ≥ r − D (REF_DEPTH). Every honest replica applies the same
 * rules to the same bytes, so they accept the same blocks — a pruned replica a subset (below its floor: nothing).
 */
export class Dag {
  readonly n: number
  readonly q: number
  readonly nodes = new Map<Hex, Node>()
  /** round → its blocks */
  readonly byRound = new Map<number, Node[]>()
  /** per author: seq → blocks (more than one only for equivocators) */
  readonly bySeq: Map<number, Node[]>[]
  /** per author: round → blocks (more than one only for equivocators) */
  readonly bySlot: Map<number, Node[]>[]
  /** per author: its block with the greatest seq */
  readonly latest: (Node | undefined)[]
  /** round → distinct authors with a block in it */
  private readonly roundAuthors = new Map<number, Set<number>>()
  /** round → per author: distinct authors of round + 1 blocks that support no block of that author's slot */
  readonly skipVoters = new Map<number, (Set<number> | undefined)[]>()
  /** authors with equivocation evidence */
  readonly equivocators = new Set<number>()
  readonly equivocations: Equivocation[] = []
  /** frontier: blocks no other accepted block references */
  readonly heads = new Set<Hex>()
  maxRound = 0
  /** highest round of a block that is not late: the round others may need filled (authoring.ts) */
  maxTimelyRound = 0
  /** the reference depth D: a parent more than D rounds below its block makes the block invalid */
  readonly refDepth: number
  /**
   * the late slack K: a block arriving more than D + K rounds below the quorum round is late (never cited), and
   * pruning keeps its floor at most K rounds lower than it would be to wait for authors whose latest block is older
   */
  readonly lateSlack: number
  /** late blocks accepted so far (authoring ignores their ops: nobody will cite them) */
  lateAccepted = 0
  /**
   * Blocks of a lower round are refused ('below-floor'): set by pruning (snapshot/frontier.ts) so that nothing
   * below the forgotten stubs' rounds can come back as new. Local: a replica that has not pruned accepts them.
   */
  floor = 0
  /**
   * The expiry horizon: the last committed leader's round − D − K (FinalOrder.commit). A block of a lower round can
   * never become final (every later leader's round is higher: expiry.ts), so one arriving below it that extends its
   * author's chain joins as a header only — its parents are never needed, even where the floor passed them.
   */
  expiredBelow = 0
  /** highest round holding blocks by q distinct authors */
  quorumRound = 0
  readonly ingress = { accepted: 0, duplicate: 0, buffered: 0, rejected: new Map<IngressReject, number>() }
  /** every participant's keys as far as accepted blocks tell (keys.ts) */
  readonly keys: KeyRegistry
  /** key rotations learned since the owner last drained this list */
  readonly learnedRotations: { author: number; epoch: KeyEpoch }[] = []

  /** blocks waiting for ancestors */
  private readonly buffer: BlockBuffer
  private readonly onAccept: ((node: Node) => void) | undefined

  constructor(
    readonly channel: Channel,
    options: DagOptions = {},
  ) {
    this.n = channel.config.participants.length
    this.q = channel.config.threshold
    this.bySeq = Array.from({ length: this.n }, () => new Map())
    this.bySlot = Array.from({ length: this.n }, () => new Map())
    this.latest = new Array(this.n).fill(undefined)
    this.buffer = new BlockBuffer(this.n, options.bufferPerAuthor ?? 256)
    this.refDepth = options.refDepth ?? REF_DEPTH
    this.lateSlack = options.lateSlack ?? lateSlackFor(this.n)
    this.onAccept = options.onAccept
    this.keys = new KeyRegistry(channel)
  }

  private reject(reason: IngressReject, detail?: string): ReceiveResult {
    this.ingress.rejected.set(reason, (this.ingress.rejected.get(reason) ?? 0) + 1)
    return detail === undefined ? { status: 'rejected', reason } : { status: 'rejected', reason, detail }
  }

  /** Validates wire bytes; accepts the block (and every buffered block it completes) or buffers it. */
  ingest(bytes: Uint8Array, accepted: Node[]): ReceiveResult {
    let block: Block
    try {
      block = decodeBlock(bytes)
    } catch (e) {
      if (e instanceof BlockDecodeError)
        return this.reject(e.message.includes('over limit') ? 'oversize' : 'malformed', e.message)
      throw e
    }
    if (!bytesEqual(block.channelId, this.channel.channelId)) return this.reject('wrong-channel')
    const author = this.channel.indexOf.get(toHex(block.author))
    if (author === undefined) return this.reject('not-participant')
    if (block.seq > BigInt(Number.MAX_SAFE_INTEGER)) return this.reject('seq-out-of-range')
    // below the expiry horizon a block can only join as a header extending its author's chain (chain restart)
    const expired = block.round < BigInt(this.expiredBelow)
    // below what this replica pruned and forgot: final here already, or too old to matter (never cited)
    if (!expired && block.round < BigInt(this.floor)) return this.reject('below-floor')
    const id = blockId(block, this.channel.domainSeparator)
    const hex = toHex(id)
    if (this.nodes.has(hex) || this.buffer.has(hex)) {
      this.ingress.duplicate++
      return { status: 'duplicate', id: hex }
    }
    // the block names its key: the rotation it carries, or the configured session key (keys.ts)
    const rotation = rotationOf(block)
    if (rotation === 'misplaced') return this.reject('bad-rotation', 'RotateKey must be the last op')
    let key = this.channel.sessionKeys[author]!
    if (rotation) {
      if (rotation.fromSeq > block.seq || !this.keys.valid(author, rotation))
        return this.reject('bad-rotation')
      key = toHex(rotation.newKey)
    }
    if (!this.signedBy(id, block.signature, key)) return this.reject('bad-signature')
    // a first block names the genesis: its author runs this protocol version on this very configuration (checked
    // after the signature, so that only a participant's own block can say it runs other terms: GenesisBanner)
    if (block.seq === 1n && !bytesEqual(block.prev, this.channel.genesis)) return this.reject('wrong-genesis')
    const node = makeNode(id, hex, block, bytes, author)
    node.key = key
    if (expired && this.extendsChain(node)) node.expired = true
    else if (block.round < BigInt(this.floor)) return this.reject('below-floor')
    return this.add(node, accepted)
  }

  /** Whether `node` continues its author's chain here: its prev is the author's latest, or lies beyond it. */
  private extendsChain(node: Node): boolean {
    const last = this.latest[node.author]
    if (node.seq === 1) return last === undefined
    const prev = toHex(node.block.prev)
    if (last?.hex === prev) return last.seq === node.seq - 1
    return !this.nodes.has(prev) && node.seq - 1 > (last?.seq ?? 0)
  }

  /** Whether the session key `key` (lowercase address) signed `digest` (one recovery, see signature.ts). */
  signedBy(digest: Uint8Array, signature: Uint8Array, key: string): boolean {
    return recoverAddress(digest, signature) === key
  }

  /** Whether a block is known (to this replica) to be signed by a key its wallet has replaced at its seq. */
  isRevoked(node: Node): boolean {
    return this.keys.revoked(node.author, BigInt(node.seq), node.key)
  }

  /** Adds a block signed here (already known valid). */
  addOwn(node: Node, accepted: Node[]): ReceiveResult {
    return this.add(node, accepted)
  }

  private add(node: Node, accepted: Node[]): ReceiveResult {
    const missing = this.missing(node)
    if (missing.length > 0) {
      this.buffer.park(node, missing)
      this.ingress.buffered++
      return { status: 'buffered', id: node.hex, missing }
    }
    const r = this.integrate(node)
    if (r !== undefined) return this.reject(r)
    accepted.push(node)
    this.release(node, accepted)
    return { status: 'accepted', id: node.hex }
  }

  /**
   * Re-applies the expiry rule at ingress to blocks that waited in the buffer while the horizon (`expiredBelow`)
   * passed them: one that continues its author's chain becomes a header and needs only its prev (so its author's
   * next block is not held back by a parent that never comes); one below the floor that does not is dropped, as
   * ingress would refuse it now; any other waits on as before. Exactly what a replica receiving the block only now
   * decides, so replicas agree however late the horizon passed. Adds what joined the DAG (with the waiters it
   * released) to `accepted`, for the replica's pipeline. Work: see BlockBuffer.below.
   */
  reexamineBuffered(accepted: Node[]): void {
    for (const w of this.buffer.below(this.expiredBelow)) {
      if (!this.buffer.has(w.hex) || w.expired) continue
      if (this.extendsChain(w)) {
        this.buffer.take(w)
        w.expired = true
        this.add(w, accepted)
      } else if (w.round < this.floor) {
        this.buffer.take(w)
        this.reject('below-floor')
      }
    }
  }

  /** Ids a buffered block still lacks (an expired header needs only its prev). */
  private missing(node: Node): Hex[] {
    const out: Hex[] = []
    const ids = refIds(node)
    for (const h of node.expired ? prevOnly(node, ids) : ids) if (!this.nodes.has(h)) out.push(h)
    return out
  }

  /** Integrates buffered blocks that waited on `first` and have nothing else missing. */
  private release(first: Node, accepted: Node[]): void {
    const queue = [first]
    while (queue.length > 0) {
      const done = queue.pop()!
      const waiters = this.buffer.waitersOf(done.hex)
      if (!waiters) continue
      for (const w of waiters) {
        if (!this.buffer.has(w.hex) || this.missing(w).length > 0) continue
        this.buffer.take(w)
        const r = this.integrate(w)
        if (r !== undefined) {
          this.reject(r)
          continue
        }
        accepted.push(w)
        queue.push(w)
      }
    }
  }

  /** Checks the round rules for a block whose references are all known and adds it; returns why not otherwise. */
  private integrate(node: Node): IngressReject | undefined {
    const round = node.round
    const ids = refIds(node)
    const refs: Node[] = (node.expired ? prevOnly(node, ids) : ids).map((h) => this.nodes.get(h)!)
    if (node.seq > 1) {
      const prev = refs[0]!
      if (prev.author !== node.author || prev.seq !== node.seq - 1) return 'bad-prev'
    }
    // the key follows the author's own chain: a block carries its prev's rotation, or starts a new one at its seq
    const rotation = rotationOf(node.block) as RotateKeyOp | undefined
    const before = node.seq > 1 ? (rotationOf(refs[0]!.block) as RotateKeyOp | undefined) : undefined
    if (!sameRotation(rotation, before)) {
      if (!rotation || rotation.fromSeq !== BigInt(node.seq)) return 'bad-rotation'
      if (before && rotation.fromVersion < before.fromVersion) return 'bad-rotation'
    }
    if (node.expired) return this.integrateExpired(node, refs[0], rotation)
    node.refIds = undefined
    let below = 0
    const seen = new Set<number>()
    const first = node.seq > 1 ? 1 : 0
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i]!
      if (r.round >= round) return 'bad-round'
      // the reference-depth rule: a parent (not the prev) at most D rounds below
      if (i >= first && r.round < round - this.refDepth) return 'too-deep'
      if (r.round === round - 1 && !seen.has(r.author)) {
        seen.add(r.author)
        below++
      }
    }
    if (round > 1 && below < this.q) return 'bad-round'
    node.refs = refs
    markLate(this, node)
    if (node.late) this.lateAccepted++
    else if (round > this.maxTimelyRound) this.maxTimelyRound = round

    for (const r of refs) this.heads.delete(r.hex)
    this.heads.add(node.hex)
    this.nodes.set(node.hex, node)
    this.ingress.accepted++
    if (round > this.maxRound) this.maxRound = round
    entry(this.byRound, round, () => []).push(node)
    if (rotation) this.learnRotation(node.author, rotation)
    // a block known to be signed by a replaced key counts for no round, no evidence and no reference of ours
    const revoked = this.isRevoked(node)
    const authors = entry(this.roundAuthors, round, () => new Set())
    if (!revoked) authors.add(node.author)
    if (authors.size >= this.q && round > this.quorumRound) this.quorumRound = round

    const atSeq = this.bySeq[node.author]!.get(node.seq)
    if (atSeq) {
      this.recordEquivocation(node, atSeq[0]!)
      atSeq.push(node)
    } else this.bySeq[node.author]!.set(node.seq, [node])
    const atRound = this.bySlot[node.author]!.get(round)
    if (atRound) {
      if (!atSeq) this.recordEquivocation(node, atRound[0]!)
      atRound.push(node)
    } else this.bySlot[node.author]!.set(round, [node])
    const last = this.latest[node.author]
    if (!revoked && (!last || node.seq > last.seq)) this.latest[node.author] = node

    countVotes(node, this.n, this.q, this.skipVoters)
    this.onAccept?.(node)
    return undefined
  }

  /**
   * An expired header (CONTEXT.md, "Chain restart"): it continues its author's chain from its latest block and has
   * a higher round; it counts for no round, vote or head, and is never cited as a parent, only as the prev of its
   * author's next block. Its seq and round slots are taken (a fork of it is evidence, with both signed headers).
   */
  private integrateExpired(
    node: Node,
    prev: Node | undefined,
    rotation: RotateKeyOp | undefined,
  ): IngressReject | undefined {
    // a buffered header whose chain moved on meanwhile is a fork here: its history is not ours to validate
    if (this.latest[node.author] !== prev || this.bySeq[node.author]!.has(node.seq)) return 'expired-fork'
    if (prev && prev.round >= node.round) return 'bad-round'
    node.refIds = undefined
    node.refs = prev ? [prev] : []
    node.late = true
    this.lateAccepted++
    this.nodes.set(node.hex, node)
    this.ingress.accepted++
    if (rotation) this.learnRotation(node.author, rotation)
    const atRound = this.bySlot[node.author]!.get(node.round)
    if (atRound) {
      this.recordEquivocation(node, atRound[0]!)
      atRound.push(node)
    } else this.bySlot[node.author]!.set(node.round, [node])
    this.bySeq[node.author]!.set(node.seq, [node])
    if (!this.isRevoked(node)) this.latest[node.author] = node
    this.onAccept?.(node)
    return undefined
  }

  /** Learns a rotation; blocks of the author it revokes stop being its latest. */
  private learnRotation(author: number, rotation: RotateKeyOp): void {
    const epoch = this.keys.learn(author, rotation)
    if (!epoch) return
    this.learnedRotations.push({ author, epoch })
    let latest: Node | undefined
    for (const list of this.bySeq[author]!.values())
      for (const x of list) if (!this.isRevoked(x) && (!latest || x.seq > latest.seq)) latest = x
    this.latest[author] = latest
  }

  private recordEquivocation(node: Node, other: Node): void {
    // a block signed by a replaced key is not the participant's: its conflicts with the new key's blocks prove nothing
    if (this.isRevoked(node) || this.isRevoked(other)) return
    this.equivocators.add(node.author)
    recordEvidence(this.equivocations, node, other)
  }

  /**
   * Registers a stub of a pruned block on reload (snapshot/frontier.ts): known as a reference target, in its seq and
   * round slots (a fork of it is equivocation) and as its author's latest when it is.
   */
  addStub(node: Node): void {
    this.nodes.set(node.hex, node)
    entry(this.bySeq[node.author]!, node.seq, () => []).push(node)
    entry(this.bySlot[node.author]!, node.round, () => []).push(node)
    const revoked = this.isRevoked(node)
    const last = this.latest[node.author]
    if (!revoked && (!last || node.seq > last.seq)) this.latest[node.author] = node
    // an expired stub is only its author's chain: it counts for no round
    if (node.expired) return
    entry(this.byRound, node.round, () => []).push(node)
    if (node.round > this.maxRound) this.maxRound = node.round
    if (node.round > this.maxTimelyRound) this.maxTimelyRound = node.round
    const authors = entry(this.roundAuthors, node.round, () => new Set())
    if (!revoked) authors.add(node.author)
    if (authors.size >= this.q && node.round > this.quorumRound) this.quorumRound = node.round
  }

  /**
   * Forgets the stubs of rounds below `round` (pruning, once the floor is at least D above it): no block this
   * replica can still accept cites them (parents are at most D rounds below, the floor refuses the rest), except
   * an author's prev after a silence — so each author's latest block stays, and any in `keep` (each author's final
   * tip: a base's final chains start there). Returns the stubs forgotten.
   */
  forgetBelow(round: number, keep?: ReadonlySet<Node>): Node[] {
    const gone: Node[] = []
    for (const x of this.nodes.values())
      if ((x.pruned || x.expired) && x.round < round && this.latest[x.author] !== x && !keep?.has(x))
        gone.push(x)
    for (const x of gone) {
      this.nodes.delete(x.hex)
      this.heads.delete(x.hex)
      dropFrom(this.byRound, x.round, x)
      dropFrom(this.bySeq[x.author]!, x.seq, x)
      dropFrom(this.bySlot[x.author]!, x.round, x)
    }
    for (const r of [...this.roundAuthors.keys()]) if (r < round) this.roundAuthors.delete(r)
    return gone
  }

  /** Distinct authors holding a block of `round`. */
  authorsAt(round: number): number {
    return this.roundAuthors.get(round)?.size ?? 0
  }

  /** Blocks of slot (author, round). */
  slot(author: number, round: number): readonly Node[] {
    return this.bySlot[author]?.get(round) ?? []
  }

  /** Whether `ancestor` is in the causal history of `node` (or is it). */
  reaches(node: Node, ancestor: Node): boolean {
    if (node === ancestor) return true
    const seen = new Set<Node>([node])
    const stack = [node]
    while (stack.length > 0) {
      const x = stack.pop()!
      for (const r of x.refs) {
        if (r === ancestor) return true
        if (r.round <= ancestor.round || seen.has(r)) continue
        seen.add(r)
        stack.push(r)
      }
    }
    return false
  }

  get bufferedCount(): number {
    return this.buffer.size
  }

  /** Ids that buffered blocks wait for, at most `limit`. */
  wanted(limit: number): Hex[] {
    return this.buffer.wanted(limit, (id) => this.nodes.has(id))
  }
}
