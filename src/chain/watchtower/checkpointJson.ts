import type { Hex } from 'viem'
import { fromHex, toHex } from '../../core/bytes.ts'
import type { SignedCheckpoint } from '../../core/checkpoint.ts'

/** Tag of the JSON layout below; a loader refuses any other. */
export const CHECKPOINT_JSON_FORMAT = 'channel-exchange/signed-checkpoint@1'

/**
 * A signed checkpoint as JSON: bigints as decimal strings, bytes as 0x-hex, signatures keyed by participant index.
 * ```json
 * { "format": "channel-exchange/signed-checkpoint@1", "channelId": "0x…32 bytes", "version": "2",
 *   "leader": "0x…32", "time": "1700000000000", "depositCount": "4", "forcedCount": "0",
 *   "stateRoot": "0x…32", "balancesRoot": "0x…32", "digest": "0x…32", "signatures": { "0": "0x…65", "2": "0x…65" } }
 * ```
 */
export type CheckpointJson = {
  format: typeof CHECKPOINT_JSON_FORMAT
  channelId: Hex
  version: string
  leader: Hex
  time: string
  depositCount: string
  forcedCount: string
  stateRoot: Hex
  balancesRoot: Hex
  digest: Hex
  signatures: Record<string, Hex>
}

export type DecodedCheckpoint = { channelId: Hex; checkpoint: SignedCheckpoint }

/** The JSON object for `signed` in channel `channelId`. */
export function checkpointToJson(channelId: Hex, signed: SignedCheckpoint): CheckpointJson {
  const signatures: Record<string, Hex> = {}
  for (const [i, sig] of [...signed.signatures].sort(([a], [b]) => a - b)) signatures[String(i)] = toHex(sig)
  return {
    format: CHECKPOINT_JSON_FORMAT,
    channelId: channelId.toLowerCase() as Hex,
    version: signed.version.toString(),
    leader: toHex(signed.leader),
    time: signed.time.toString(),
    depositCount: signed.depositCount.toString(),
    forcedCount: signed.forcedCount.toString(),
    stateRoot: toHex(signed.stateRoot),
    balancesRoot: toHex(signed.balancesRoot),
    digest: signed.digest.toLowerCase() as Hex,
    signatures,
  }
}

/** A malformed checkpoint file or object; `message` says which field and why. */
export class CheckpointJsonError extends Error {
  override name = 'CheckpointJsonError'
}

const U64_MAX = (1n << 64n) - 1n
/** the contract's participant cap */
const MAX_PARTICIPANTS = 200

function fail(message: string): never {
  throw new CheckpointJsonError(message)
}

function uint64(o: Record<string, unknown>, field: string, min = 0n): bigint {
  const v = o[field]
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]*)$/.test(v)) fail(`${field}: not a decimal string`)
  const n = BigInt(v)
  if (n < min || n > U64_MAX) fail(`${field}: ${v} out of range`)
  return n
}

function bytes(o: Record<string, unknown>, field: string, length: number): Uint8Array {
  return bytesOf(o[field], field, length)
}

function bytesOf(v: unknown, field: string, length: number): Uint8Array {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]*$/.test(v)) fail(`${field}: not 0x-hex`)
  if (v.length !== 2 + 2 * length) fail(`${field}: ${(v.length - 2) / 2} bytes, expected ${length}`)
  return fromHex(v, length)
}

/**
 * Validates every field of a parsed checkpoint JSON object and returns the signed checkpoint, or throws a
 * CheckpointJsonError naming the first bad field. The digest is only checked for shape: whether it is the digest
 * of these fields, and whether the signatures verify, depends on the chain and contract (the watchtower checks).
 */
export function checkpointFromJson(value: unknown): DecodedCheckpoint {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('not a JSON object')
  const o = value as Record<string, unknown>
  if (o.format !== CHECKPOINT_JSON_FORMAT) fail(`format: expected ${CHECKPOINT_JSON_FORMAT}`)
  const known = new Set(Object.keys(checkpointToJsonShape))
  for (const k of Object.keys(o)) if (!known.has(k)) fail(`${k}: unknown field`)
  const channelId = toHex(bytes(o, 'channelId', 32))
  const checkpoint: SignedCheckpoint = {
    version: uint64(o, 'version', 1n),
    leader: bytes(o, 'leader', 32),
    time: uint64(o, 'time'),
    depositCount: uint64(o, 'depositCount'),
    forcedCount: uint64(o, 'forcedCount'),
    stateRoot: bytes(o, 'stateRoot', 32),
    balancesRoot: bytes(o, 'balancesRoot', 32),
    digest: toHex(bytes(o, 'digest', 32)),
    signatures: new Map(),
  }
  const sigs = o.signatures
  if (typeof sigs !== 'object' || sigs === null || Array.isArray(sigs)) fail('signatures: not an object')
  for (const [k, sig] of Object.entries(sigs as Record<string, unknown>)) {
    if (!/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= MAX_PARTICIPANTS)
      fail(`signatures: key ${JSON.stringify(k)} is not a participant index`)
    checkpoint.signatures.set(Number(k), bytesOf(sig, `signatures.${k}`, 65))
  }
  return { channelId, checkpoint }
}

const checkpointToJsonShape: Record<keyof CheckpointJson, true> = {
  format: true,
  channelId: true,
  version: true,
  leader: true,
  time: true,
  depositCount: true,
  forcedCount: true,
  stateRoot: true,
  balancesRoot: true,
  digest: true,
  signatures: true,
}
