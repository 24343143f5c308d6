import { abiEncode, addressWord } from './abi.ts'
import { concatBytes, type Hex, uintToBytes } from './bytes.ts'
import { keccak256 } from './hash.ts'

/**
 * The one place where the protocol's EIP-712 types live. contracts/src/ChannelSettlement.sol declares the same
 * strings; test vectors generated from here are verified by the forge tests.
 */
export const EIP712_NAME = 'ChannelExchange'
export const EIP712_VERSION = '1'
export const DOMAIN_TYPE =
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'
export const SESSION_KEY_TYPE = 'SessionKey(bytes32 channelId,address participant,address sessionKey)'
export const BLOCK_TYPE =
  'Block(bytes32 channelId,address author,uint64 seq,uint64 round,uint64 time,bytes32 prev,bytes32 parentsHash,bytes32 opsHash)'
/**
 * The wallet's replacement of its session key (issue #12): from block `fromSeq` on the participant's blocks are
 * signed by `newKey`, and from checkpoint `fromVersion` on its checkpoint signatures are by `newKey`. Below those
 * the key it replaces stays valid, so everything signed before the rotation keeps verifying.
 */
export const SESSION_KEY_ROTATION_TYPE =
  'SessionKeyRotation(bytes32 channelId,address participant,address newKey,uint64 fromSeq,uint64 fromVersion)'
export const CHECKPOINT_TYPE =
  'Checkpoint(bytes32 channelId,uint64 version,bytes32 leader,uint64 time,uint64 depositCount,uint64 forcedCount,bytes32 stateRoot,bytes32 balancesRoot)'
/**
 * A participant's consent to end the channel with one checkpoint (settlement v2, issue #12): `checkpointDigest` is
 * the checkpoint's full EIP-712 digest. A type of its own, not a flag on Checkpoint: keys sign every checkpoint
 * automatically, a close only when their participant settles, so no checkpoint signed while trading goes on can end
 * the channel. With every participant's close the contract finalizes at once (closeCooperatively).
 */
export const CLOSE_TYPE = 'Close(bytes32 channelId,uint64 version,bytes32 checkpointDigest)'

/** viem/wagmi-shaped type definitions of the same structs, for wallets (eth_signTypedData_v4). */
export const TYPED_DATA_TYPES = {
  SessionKey: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'participant', type: 'address' },
    { name: 'sessionKey', type: 'address' },
  ],
  SessionKeyRotation: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'participant', type: 'address' },
    { name: 'newKey', type: 'address' },
    { name: 'fromSeq', type: 'uint64' },
    { name: 'fromVersion', type: 'uint64' },
  ],
  Block: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'author', type: 'address' },
    { name: 'seq', type: 'uint64' },
    { name: 'round', type: 'uint64' },
    { name: 'time', type: 'uint64' },
    { name: 'prev', type: 'bytes32' },
    { name: 'parentsHash', type: 'bytes32' },
    { name: 'opsHash', type: 'bytes32' },
  ],
  Checkpoint: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'version', type: 'uint64' },
    { name: 'leader', type: 'bytes32' },
    { name: 'time', type: 'uint64' },
    { name: 'depositCount', type: 'uint64' },
    { name: 'forcedCount', type: 'uint64' },
    { name: 'stateRoot', type: 'bytes32' },
    { name: 'balancesRoot', type: 'bytes32' },
  ],
  Close: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'version', type: 'uint64' },
    { name: 'checkpointDigest', type: 'bytes32' },
  ],
} as const

const utf8 = new TextEncoder()
const typeHash = (t: string) => keccak256(utf8.encode(t))
export const DOMAIN_TYPEHASH: Uint8Array = typeHash(DOMAIN_TYPE)
export const SESSION_KEY_TYPEHASH: Uint8Array = typeHash(SESSION_KEY_TYPE)
export const SESSION_KEY_ROTATION_TYPEHASH: Uint8Array = typeHash(SESSION_KEY_ROTATION_TYPE)
export const BLOCK_TYPEHASH: Uint8Array = typeHash(BLOCK_TYPE)
export const CHECKPOINT_TYPEHASH: Uint8Array = typeHash(CHECKPOINT_TYPE)
export const CLOSE_TYPEHASH: Uint8Array = typeHash(CLOSE_TYPE)

export type Domain = { chainId: bigint; verifyingContract: Hex }

export function domainSeparator(domain: Domain): Uint8Array {
  return keccak256(
    concatBytes(
      DOMAIN_TYPEHASH,
      keccak256(utf8.encode(EIP712_NAME)),
      keccak256(utf8.encode(EIP712_VERSION)),
      uintToBytes(domain.chainId, 32),
      addressWord(domain.verifyingContract),
    ),
  )
}

/** keccak256(0x1901 ‖ domainSeparator ‖ structHash): the digest every signature in the protocol covers. */
export function typedDataDigest(separator: Uint8Array, structHash: Uint8Array): Uint8Array {
  const buf = new Uint8Array(66)
  buf[0] = 0x19
  buf[1] = 0x01
  buf.set(separator, 2)
  buf.set(structHash, 34)
  return keccak256(buf)
}

export function sessionKeyStructHash(channelId: Uint8Array, participant: Hex, sessionKey: Hex): Uint8Array {
  return keccak256(
    abiEncode([
      { type: 'bytes32', value: SESSION_KEY_TYPEHASH },
      { type: 'bytes32', value: channelId },
      { type: 'address', value: participant },
      { type: 'address', value: sessionKey },
    ]),
  )
}

export type SessionKeyRotationFields = {
  channelId: Uint8Array
  participant: Hex
  newKey: Hex
  fromSeq: bigint
  fromVersion: bigint
}

export function sessionKeyRotationStructHash(r: SessionKeyRotationFields): Uint8Array {
  return keccak256(
    abiEncode([
      { type: 'bytes32', value: SESSION_KEY_ROTATION_TYPEHASH },
      { type: 'bytes32', value: r.channelId },
      { type: 'address', value: r.participant },
      { type: 'address', value: r.newKey },
      { type: 'uint', value: r.fromSeq },
      { type: 'uint', value: r.fromVersion },
    ]),
  )
}

export type BlockHeaderFields = {
  channelId: Uint8Array
  author: Uint8Array // 20 bytes
  seq: bigint
  round: bigint
  /** the author's clock in milliseconds: an input to the channel clock, never trusted alone */
  time: bigint
  prev: Uint8Array
  parentsHash: Uint8Array
  opsHash: Uint8Array
}

/** Struct hash of a block header, written into one preallocated buffer: it is on the ingest hot path. */
export function blockStructHash(h: BlockHeaderFields): Uint8Array {
  const buf = new Uint8Array(32 * 9)
  buf.set(BLOCK_TYPEHASH, 0)
  buf.set(h.channelId, 32)
  buf.set(h.author, 64 + 12)
  buf.set(uintToBytes(h.seq, 32), 96)
  buf.set(uintToBytes(h.round, 32), 128)
  buf.set(uintToBytes(h.time, 32), 160)
  buf.set(h.prev, 192)
  buf.set(h.parentsHash, 224)
  buf.set(h.opsHash, 256)
  return keccak256(buf)
}

export type CheckpointFields = {
  channelId: Uint8Array
  version: bigint
  leader: Uint8Array
  time: bigint
  depositCount: bigint
  forcedCount: bigint
  stateRoot: Uint8Array
  balancesRoot: Uint8Array
}

export function checkpointStructHash(c: CheckpointFields): Uint8Array {
  return keccak256(
    concatBytes(
      CHECKPOINT_TYPEHASH,
      c.channelId,
      uintToBytes(c.version, 32),
      c.leader,
      uintToBytes(c.time, 32),
      uintToBytes(c.depositCount, 32),
      uintToBytes(c.forcedCount, 32),
      c.stateRoot,
      c.balancesRoot,
    ),
  )
}

export function closeStructHash(
  channelId: Uint8Array,
  version: bigint,
  checkpointDigest: Uint8Array,
): Uint8Array {
  return keccak256(concatBytes(CLOSE_TYPEHASH, channelId, uintToBytes(version, 32), checkpointDigest))
}
