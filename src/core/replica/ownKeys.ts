import { toHex } from '../bytes.ts'
import type { Dag } from '../dag.ts'
import { rotationOf, sameRotation } from '../keys.ts'
import type { RotateKeyOp } from '../ops.ts'
import { addressFromPrivateKey } from '../signature.ts'
import type { Checkpointer } from './checkpoints.ts'

/** A key rotation this replica cannot carry out (wrong seq, or not signed by the participant's wallet). */
export class RotationError extends Error {
  override name = 'RotationError'
}

/** the local author: its participant index and current session key (private) */
export type LocalAuthor = { index: number; sessionKey: Uint8Array }

/**
 * The local author's session key and its rotations (issue #12, keys.ts): which key signs the next block and which
 * signs each checkpoint version, the rotation every own block carries from its fromSeq on.
 */
export class OwnKeys {
  /** the local author's rotation, carried by each of its blocks from its fromSeq on */
  rotation: RotateKeyOp | undefined
  /** keys the local author replaced, each with the version its checkpoint signatures stop at */
  private readonly oldKeys: { key: Uint8Array; untilVersion: bigint }[] = []
  /** address of the local author's current session key (cached: deriving it costs a scalar multiplication) */
  private myKey: string | undefined

  constructor(
    readonly me: LocalAuthor | undefined,
    private readonly dag: Dag,
    private readonly checkpointer: Checkpointer,
  ) {}

  private author(): LocalAuthor {
    if (!this.me) throw new Error('this replica has no author key')
    return this.me
  }

  /** The seq of the local author's next block. */
  nextSeq(me: LocalAuthor): bigint {
    return BigInt((this.dag.latest[me.index]?.seq ?? 0) + 1)
  }

  /** The address of the current session key, what the DAG records as the signer of own blocks. */
  keyAddress(me: LocalAuthor): string {
    this.myKey ??= addressFromPrivateKey(me.sessionKey)
    return this.myKey
  }

  /** The key that signs checkpoint `version`: below a rotation's fromVersion, the key that was in force for it. */
  keyForVersion(me: LocalAuthor, version: bigint): Uint8Array {
    const old = this.oldKeys.find((k) => version < k.untilVersion)
    return old ? old.key : me.sessionKey
  }

  /** See Replica.rotationPoint. */
  rotationPoint(): { fromSeq: bigint; fromVersion: bigint } {
    const me = this.author()
    return { fromSeq: this.nextSeq(me), fromVersion: this.checkpointer.highestVersion() + 1n }
  }

  /** See Replica.rotateKey. */
  rotateKey(newKey: Uint8Array, op: RotateKeyOp): void {
    const me = this.author()
    const next = this.nextSeq(me)
    if (op.fromSeq !== next)
      throw new RotationError(
        `the rotation starts at block ${op.fromSeq}, the next block is ${next}: sign again`,
      )
    if (!this.dag.keys.valid(me.index, op)) throw new RotationError('not signed by this participant’s wallet')
    if (addressFromPrivateKey(newKey) !== toHex(op.newKey))
      throw new RotationError('newKey is not the rotated key')
    if (this.rotation && op.fromVersion < this.rotation.fromVersion)
      throw new RotationError('fromVersion below the previous rotation’s')
    this.oldKeys.push({ key: me.sessionKey, untilVersion: op.fromVersion })
    me.sessionKey = newKey
    this.myKey = undefined
    this.rotation = op
  }

  /** See Replica.resumeRotations. */
  resumeRotations(rotations: readonly { key: Uint8Array; op: RotateKeyOp }[]): void {
    const me = this.author()
    if (this.rotation) throw new RotationError('rotations were already applied')
    const latest = this.dag.latest[me.index]
    const next = BigInt((latest?.seq ?? 0) + 1)
    let prev: RotateKeyOp | undefined
    let inForce: RotateKeyOp | undefined
    for (const { key, op } of rotations) {
      if (op.fromSeq > next)
        throw new RotationError(
          `a stored rotation starts at block ${op.fromSeq}, above the next block ${next}`,
        )
      if (!this.dag.keys.valid(me.index, op))
        throw new RotationError('not signed by this participant’s wallet')
      if (addressFromPrivateKey(key) !== toHex(op.newKey))
        throw new RotationError('a stored key is not the rotated key')
      if (prev && (op.fromSeq < prev.fromSeq || op.fromVersion < prev.fromVersion))
        throw new RotationError('stored rotations out of order')
      if (latest && op.fromSeq <= BigInt(latest.seq)) inForce = op
      prev = op
    }
    const carried = latest ? rotationOf(latest.block) : undefined
    if (latest && (carried === 'misplaced' || !sameRotation(carried, inForce)))
      throw new RotationError(`the stored rotations do not match own block ${latest.seq}`)
    for (const { key, op } of rotations) {
      this.oldKeys.push({ key: me.sessionKey, untilVersion: op.fromVersion })
      me.sessionKey = key
      this.rotation = op
    }
    this.myKey = undefined
  }

  /** Whether this author rotated and no block of its own carries the newest rotation yet. */
  rotationPending(): boolean {
    if (!this.me || !this.rotation) return false
    return (this.dag.latest[this.me.index]?.seq ?? 0) < this.rotation.fromSeq
  }
}
