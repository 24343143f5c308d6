import type { Hex } from './bytes.ts'

/** Every participant's agreement gathered so far to close the channel with one checkpoint (issue #12). */
export type CloseRequest = {
  version: bigint
  /** EIP-712 digest of the checkpoint the close ends the channel with */
  checkpointDigest: Hex
  /** participant index → its session key's `Close` signature (verified when its block was accepted) */
  signatures: Map<number, Uint8Array>
  /** who signed first: the participant that asked to close */
  requestedBy: number
}

/** A Byzantine key could sign closes at any number of versions: at most this many are kept per author. */
const CLOSES_KEPT_PER_AUTHOR = 16

/**
 * The close signatures seen in accepted blocks (Close ops, signatures already verified against the author's key
 * for that version), grouped by (version, checkpoint digest). An author's second close at one version with another
 * digest is ignored: an honest key signs at most one, and the first one seen stands.
 */
export class CloseBook {
  private readonly requests = new Map<string, CloseRequest>()
  private readonly byAuthor = new Map<number, Map<bigint, Hex>>()

  /** Files one verified signature; false when ignored (another close by this author at that version, or too many). */
  file(author: number, version: bigint, checkpointDigest: Hex, signature: Uint8Array): boolean {
    const digest = checkpointDigest.toLowerCase() as Hex
    const mine = this.byAuthor.get(author) ?? new Map<bigint, Hex>()
    const before = mine.get(version)
    if (before !== undefined && before !== digest) return false
    if (before === undefined && mine.size >= CLOSES_KEPT_PER_AUTHOR) return false
    mine.set(version, digest)
    this.byAuthor.set(author, mine)
    const key = `${version}:${digest}`
    const r = this.requests.get(key) ?? {
      version,
      checkpointDigest: digest,
      signatures: new Map(),
      requestedBy: author,
    }
    if (!r.signatures.has(author)) r.signatures.set(author, signature)
    this.requests.set(key, r)
    return true
  }

  /** The digest of the close `author` signed at `version`, if any. */
  signedBy(author: number, version: bigint): Hex | undefined {
    return this.byAuthor.get(author)?.get(version)
  }

  /** Every request, newest version first (at one version, the most signed first). */
  list(): CloseRequest[] {
    return [...this.requests.values()].sort((a, b) =>
      a.version !== b.version ? (a.version > b.version ? -1 : 1) : b.signatures.size - a.signatures.size,
    )
  }
}
