import type { SignedCheckpoint } from '../checkpoint.ts'

/**
 * The checkpoints a replica computed, addressed by version: every version from 1 to `latestVersion` was computed,
 * but after pruning only the records something can still need are held (Checkpointer.forgetBelow, CONTEXT.md
 * "Which checkpoint records a pruned replica keeps"). Records are held oldest first.
 */
export class CheckpointList {
  private readonly byVersion = new Map<bigint, SignedCheckpoint>()
  private held: SignedCheckpoint[] = []
  /** the highest version computed (0: none); versions are computed one after the other */
  latestVersion = 0n

  /** The record of `version`, if it was computed and is still held. */
  get(version: bigint): SignedCheckpoint | undefined {
    return this.byVersion.get(version)
  }

  /** The next version computed: always `latestVersion + 1`. */
  push(cp: SignedCheckpoint): void {
    if (cp.version !== this.latestVersion + 1n)
      throw new Error(`checkpoint ${cp.version} computed after ${this.latestVersion}`)
    this.add(cp)
  }

  /** Takes over held records of a pruned base (ascending versions, any gaps); the newest becomes latestVersion. */
  restore(records: readonly SignedCheckpoint[]): void {
    if (this.latestVersion !== 0n) throw new Error('restore() needs an empty checkpoint list')
    for (const cp of [...records].sort((a, b) => (a.version < b.version ? -1 : 1))) this.add(cp)
  }

  private add(cp: SignedCheckpoint): void {
    this.byVersion.set(cp.version, cp)
    this.held.push(cp)
    this.latestVersion = cp.version
  }

  /** Held records, oldest first (the array is a copy). */
  list(): SignedCheckpoint[] {
    return this.held.slice()
  }

  /** How many records are held (not how many versions were computed: see latestVersion). */
  get size(): number {
    return this.held.length
  }

  /** The newest held record satisfying `ok`. */
  newest(ok: (cp: SignedCheckpoint) => boolean): SignedCheckpoint | undefined {
    for (let i = this.held.length - 1; i >= 0; i--) if (ok(this.held[i]!)) return this.held[i]
    return undefined
  }

  [Symbol.iterator](): Iterator<SignedCheckpoint> {
    return this.held[Symbol.iterator]()
  }

  /** Forgets every record below `version` that `keep` does not name. */
  forgetBelow(version: bigint, keep: ReadonlySet<bigint>): void {
    this.held = this.held.filter((cp) => {
      if (cp.version >= version || keep.has(cp.version)) return true
      this.byVersion.delete(cp.version)
      return false
    })
  }
}
