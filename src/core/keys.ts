import type { Block } from './block.ts'
import { fromHex, type Hex, toHex } from './bytes.ts'
import type { Channel } from './channel.ts'
import { sessionKeyRotationStructHash, typedDataDigest } from './eip712.ts'
import { encodeOp } from './opCodec.ts'
import { OpTag, type RotateKeyOp } from './ops.ts'
import { recoverAddress, signDigest } from './signature.ts'

/**
 * Session-key rotation (issue #12). A participant's wallet signs `SessionKeyRotation(channelId, participant, newKey,
 * fromSeq, fromVersion)`; from block `fromSeq` on its blocks are signed by `newKey` and every one of them carries
 * that rotation as its last op, so a block names the key that signs it whatever order blocks arrive in; from
 * checkpoint `fromVersion` on its checkpoint signatures are by `newKey`. The replaced key stays valid below both
 * bounds (what it signed before the rotation keeps verifying, on chain too) and never above them.
 */

/** One key of a participant and where it starts: the session key of the channel config starts at (0, 0). */
export type KeyEpoch = { key: string; fromSeq: bigint; fromVersion: bigint }

export type RotationParameters = { newKey: Hex; fromSeq: bigint; fromVersion: bigint }

/** The EIP-712 digest the participant's wallet signs to rotate its session key. */
export function rotationDigest(channel: Channel, participant: number, r: RotationParameters): Uint8Array {
  return typedDataDigest(
    channel.domainSeparator,
    sessionKeyRotationStructHash({
      channelId: channel.channelId,
      participant: channel.config.participants[participant]!.address,
      newKey: r.newKey,
      fromSeq: r.fromSeq,
      fromVersion: r.fromVersion,
    }),
  )
}

/** The RotateKey op for a rotation the wallet signed (`signature`, r‖s‖v). */
export function rotationOp(r: RotationParameters, signature: Uint8Array): RotateKeyOp {
  return {
    tag: OpTag.RotateKey,
    newKey: fromHex(r.newKey, 20),
    fromSeq: r.fromSeq,
    fromVersion: r.fromVersion,
    signature,
  }
}

/** Signs a rotation with a wallet's private key (tests, headless participants; the app asks the wallet). */
export function signRotation(
  channel: Channel,
  participant: number,
  r: RotationParameters,
  walletKey: Uint8Array,
): RotateKeyOp {
  return rotationOp(r, signDigest(rotationDigest(channel, participant, r), walletKey))
}

/**
 * The rotation a block carries: its last op when that is a RotateKey; 'misplaced' when a RotateKey sits anywhere
 * else (such a block is refused).
 */
export function rotationOf(block: Block): RotateKeyOp | undefined | 'misplaced' {
  const ops = block.ops
  for (let i = 0; i < ops.length - 1; i++) if (ops[i]!.tag === OpTag.RotateKey) return 'misplaced'
  const last = ops[ops.length - 1]
  return last?.tag === OpTag.RotateKey ? last : undefined
}

/** Whether two blocks carry the same rotation (or both none). */
export function sameRotation(a: RotateKeyOp | undefined, b: RotateKeyOp | undefined): boolean {
  if (!a || !b) return a === b
  return toHex(encodeOp(a)) === toHex(encodeOp(b))
}

/**
 * What this replica knows of every participant's keys: epochs learned from accepted blocks, in fromSeq order, and
 * a cache of verified wallet signatures. The DAG's acceptance rules never depend on it (they read the block and
 * its own chain); it decides which blocks are known to be signed by a replaced key (pending view, references,
 * evidence) and which key a checkpoint signature must come from.
 */
export class KeyRegistry {
  /** per participant: known epochs, ascending fromSeq; index 0 is the config's session key */
  readonly epochs: KeyEpoch[][]
  /** whether any participant rotated its key */
  rotated = false
  private readonly verified = new Map<string, boolean>()

  constructor(readonly channel: Channel) {
    this.epochs = channel.sessionKeys.map((key) => [{ key, fromSeq: 0n, fromVersion: 0n }])
  }

  /**
   * Whether `op` is a rotation `author`'s wallet signed for this channel, to a key that is no participant's
   * configured session key, starting at a seq ≥ 1 and a version in [1, 2^48) as the contract requires (cached).
   */
  valid(author: number, op: RotateKeyOp): boolean {
    const id = `${author}:${toHex(encodeOp(op))}`
    const cached = this.verified.get(id)
    if (cached !== undefined) return cached
    const newKey = toHex(op.newKey)
    // the contract's bounds: fromVersion in [1, 2^48), so a replaced key's range always closes (an until of 0 is open)
    const ok =
      op.fromSeq >= 1n &&
      op.fromVersion >= 1n &&
      op.fromVersion < 1n << 48n &&
      !/^0x0{40}$/.test(newKey) &&
      !this.channel.sessionKeys.includes(newKey) &&
      recoverAddress(
        rotationDigest(this.channel, author, { newKey, fromSeq: op.fromSeq, fromVersion: op.fromVersion }),
        op.signature,
      ) === this.channel.config.participants[author]!.address.toLowerCase()
    this.verified.set(id, ok)
    return ok
  }

  /** Records a valid rotation of an accepted block; returns the new epoch, or undefined if it was known. */
  learn(author: number, op: RotateKeyOp): KeyEpoch | undefined {
    const list = this.epochs[author]!
    const key = toHex(op.newKey)
    if (list.some((e) => e.fromSeq === op.fromSeq)) return undefined
    const epoch = { key, fromSeq: op.fromSeq, fromVersion: op.fromVersion }
    list.push(epoch)
    this.rotated = true
    list.sort((a, b) => (a.fromSeq < b.fromSeq ? -1 : a.fromSeq > b.fromSeq ? 1 : 0))
    return epoch
  }

  /** Restores known epochs (a pruned replica's reload: snapshot/base.ts); the configured key stays first. */
  restore(epochs: readonly (readonly KeyEpoch[])[]): void {
    epochs.forEach((list, author) => {
      for (const e of list.slice(1))
        if (!this.epochs[author]!.some((x) => x.fromSeq === e.fromSeq)) {
          this.epochs[author]!.push({ ...e })
          this.rotated = true
        }
      this.epochs[author]!.sort((a, b) => (a.fromSeq < b.fromSeq ? -1 : a.fromSeq > b.fromSeq ? 1 : 0))
    })
  }

  /** The key known to sign `author`'s blocks at `seq`. */
  keyAtSeq(author: number, seq: bigint): string {
    let key = ''
    for (const e of this.epochs[author]!) if (e.fromSeq <= seq) key = e.key
    return key
  }

  /** The key `author`'s checkpoint signature at `version` must come from (the newest epoch starting at or below it). */
  keyForVersion(author: number, version: bigint): string {
    let best = this.epochs[author]![0]!
    for (const e of this.epochs[author]!) if (e.fromVersion <= version && e.fromSeq >= best.fromSeq) best = e
    return best.key
  }

  /** Whether a block of `author` at `seq` signed by `key` is known to be signed by a replaced key. */
  revoked(author: number, seq: bigint, key: string): boolean {
    return this.keyAtSeq(author, seq) !== key
  }
}
