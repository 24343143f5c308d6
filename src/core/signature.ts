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

/** Signs a 32-byte digest (no pre-hashing) and returns Ethereum's 65-byte r‖s‖v with v ∈ {27, 28}, low-s. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const rec = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered', lowS: true })
  const out = new Uint8Array(65)
  out.set(rec.subarray(1), 0)
  out[64] = 27 + rec[0]!
  return out
}

function readS(sig: Uint8Array): bigint {
  let s = 0n
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(sig[i]!)
  return s
}

/**
 * ecrecover with the same acceptance rules as OpenZeppelin's ECDSA.tryRecover: exactly 65 bytes, v ∈ {27, 28},
 * s ≤ N/2, r and s non-zero. Returns the signer address or the reason for rejection.
 */
export function recoverAddress(digest: Uint8Array, sig: Uint8Array): Hex | SignatureError {
  if (sig.length !== 65) return 'length'
  const v = sig[64]!
  if (v !== 27 && v !== 28) return 'v'
  const s = readS(sig)
  if (s > HALF_N) return 'high-s'
  let rZero = true
  for (let i = 0; i < 32; i++) if (sig[i] !== 0) rZero = false
  if (rZero || s === 0n) return 'zero'
  try {
    // the recovered point is encoded uncompressed directly: no square root to decompress it again
    const point = secp256k1.Signature.fromBytes(sig.subarray(0, 64), 'compact')
      .addRecoveryBit(v - 27)
      .recoverPublicKey(digest)
    return toHex(keccak256(point.toBytes(false).subarray(1)).subarray(12))
  } catch {
    return 'recover'
  }
}

const Point = secp256k1.Point
const Fn = Point.Fn
/** wNAF window for a signer's precomputed tables: ~2.5× faster checks for ~0.2 MB per signer */
const SIGNER_WINDOW = 5

/** A known signer's public key with precomputed multiplication tables (see verifiesFrom). */
export type SignerKey = { readonly address: Hex; readonly point: InstanceType<typeof Point> }

/** Recovers a signature's signer (the slow path) and prepares its key for verifiesFrom. */
export function signerKey(digest: Uint8Array, sig: Uint8Array): SignerKey | SignatureError {
  const address = recoverAddress(digest, sig)
  if (!address.startsWith('0x')) return address as SignatureError
  const rec = new Uint8Array(65)
  rec[0] = sig[64]! - 27
  rec.set(sig.subarray(0, 64), 1)
  const point = Point.fromBytes(secp256k1.recoverPublicKey(rec, digest, { prehash: false }))
  point.precompute(SIGNER_WINDOW, false)
  return { address: address as Hex, point }
}

function wordAt(b: Uint8Array, o: number): bigint {
  let x = 0n
  for (let i = o; i < o + 32; i++) x = (x << 8n) | BigInt(b[i]!)
  return x
}

/**
 * Whether `recoverAddress(digest, sig) === key.address`, computed without recovery: the same acceptance rules
 * (65 bytes, v ∈ {27, 28}, 0 < r < n, 0 < s ≤ n/2), then R = (z·s⁻¹)·G + (r·s⁻¹)·Q must have x = r and the
 * y parity v names — exactly the R that ecrecover would rebuild from (r, v), so both accept the same signatures.
 */
export function verifiesFrom(digest: Uint8Array, sig: Uint8Array, key: SignerKey): boolean {
  if (sig.length !== 65) return false
  const v = sig[64]!
  if (v !== 27 && v !== 28) return false
  const r = wordAt(sig, 0)
  const s = wordAt(sig, 32)
  if (r === 0n || r >= N || s === 0n || s > HALF_N) return false
  const w = Fn.inv(s)
  const R = Point.BASE.multiplyUnsafe(Fn.create(wordAt(digest, 0) * w)).add(
    key.point.multiplyUnsafe(Fn.create(r * w)),
  )
  if (R.is0()) return false
  const a = R.toAffine()
  return a.x === r && Number(a.y & 1n) === v - 27
}
