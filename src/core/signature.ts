import { secp256k1 } from '@noble/curves/secp256k1.js'
import { type Hex, toHex } from './bytes.ts'
import { keccak256 } from './hash.ts'

/** secp256k1 group order and half of it: signatures with s > N/2 are malleable twins and are rejected. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const HALF_N = N >> 1n

export type SignatureError = 'length' | 'v' | 'high-s' | 'zero' | 'recover'

export function addressFromPublicKey(publicKey: Uint8Array): Hex {
  const uncompressed =
    publicKey.length === 65 ? publicKey : secp256k1.Point.fromBytes(publicKey).toBytes(false)
  return toHex(keccak256(uncompressed.subarray(1)).subarray(12))
}

export function addressFromPrivateKey(privateKey: Uint8Array): Hex {
  return addressFromPublicKey(secp256k1.getPublicKey(privateKey, false))
}

/**
 * The arithmetic of signing: deterministic ECDSA (RFC 6979, no extra entropy) of a 32-byte digest, low-s — the
 * compact r‖s and the recovery id. Throws for a digest that is not 32 bytes or a key that is zero or ≥ n.
 */
export type SigningBackend = (
  digest: Uint8Array,
  privateKey: Uint8Array,
) => { rs: Uint8Array; recovery: number }

/** @noble/curves, in every environment from the first instruction on. */
export const nobleSigning: SigningBackend = (digest, privateKey) => {
  const rec = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered', lowS: true })
  return { rs: rec.subarray(1), recovery: rec[0]! }
}

let signer: SigningBackend = nobleSigning

/**
 * Switches the arithmetic of every later signature (see wasmCrypto.ts). RFC 6979 fixes the nonce, so any backend
 * produces the same bytes for a key and digest — `signature.test.ts` holds libsecp256k1 to @noble/curves.
 */
export function setSigningBackend(next: SigningBackend): void {
  signer = next
}

/** Signs a 32-byte digest (no pre-hashing) and returns Ethereum's 65-byte r‖s‖v with v ∈ {27, 28}, low-s. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return signDigestWith(signer, digest, privateKey)
}

export function signDigestWith(
  arithmetic: SigningBackend,
  digest: Uint8Array,
  privateKey: Uint8Array,
): Uint8Array {
  // @noble/curves would sign a shorter message as a number, libsecp256k1 refuses it: neither backend decides
  if (digest.length !== 32) throw new Error(`signDigest: a digest is 32 bytes, not ${digest.length}`)
  const { rs, recovery } = arithmetic(digest, privateKey)
  const out = new Uint8Array(65)
  out.set(rs, 0)
  out[64] = 27 + recovery
  return out
}

function readS(sig: Uint8Array): bigint {
  let s = 0n
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(sig[i]!)
  return s
}

/**
 * The curve arithmetic of recovery: the uncompressed public key (65 bytes) for a compact r‖s and recovery id, or
 * null (or a throw) when none recovers. Acceptance rules are checked before, in recoverAddressWith.
 */
export type RecoveryBackend = (digest: Uint8Array, rs: Uint8Array, recovery: 0 | 1) => Uint8Array | null

/** @noble/curves, in every environment from the first instruction on. */
export const nobleRecovery: RecoveryBackend = (digest, rs, recovery) =>
  secp256k1.Signature.fromBytes(rs, 'compact')
    .addRecoveryBit(recovery)
    .recoverPublicKey(digest)
    .toBytes(false)

let backend: RecoveryBackend = nobleRecovery

/**
 * Switches the arithmetic of every later recovery (see wasmCrypto.ts). Any backend must compute the same point
 * for every input — `signature.test.ts` holds libsecp256k1 to @noble/curves — so switching never changes a verdict.
 */
export function setRecoveryBackend(next: RecoveryBackend): void {
  backend = next
}

/**
 * ecrecover with the same acceptance rules as OpenZeppelin's ECDSA.tryRecover: exactly 65 bytes, v ∈ {27, 28},
 * s ≤ N/2, r and s non-zero. Returns the signer address or the reason for rejection.
 */
export function recoverAddress(digest: Uint8Array, sig: Uint8Array): Hex | SignatureError {
  return recoverAddressWith(backend, digest, sig)
}

export function recoverAddressWith(
  arithmetic: RecoveryBackend,
  digest: Uint8Array,
  sig: Uint8Array,
): Hex | SignatureError {
  if (sig.length !== 65) return 'length'
  const v = sig[64]!
  if (v !== 27 && v !== 28) return 'v'
  const s = readS(sig)
  if (s > HALF_N) return 'high-s'
  let rZero = true
  for (let i = 0; i < 32; i++) if (sig[i] !== 0) rZero = false
  if (rZero || s === 0n) return 'zero'
  if (digest.length !== 32) return 'recover'
  try {
    // throws when r ≥ n or r is not the x of a curve point
    const point = arithmetic(digest, sig.subarray(0, 64), (v - 27) as 0 | 1)
    if (point?.length !== 65) return 'recover'
    return toHex(keccak256(point.subarray(1)).subarray(12))
  } catch {
    return 'recover'
  }
}
