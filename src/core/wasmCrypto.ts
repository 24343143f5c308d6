import { createKeccak } from 'hash-wasm'
import * as ecc from 'tiny-secp256k1'
import { type KeccakBackend, setKeccakBackend } from './hash.ts'
import {
  type RecoveryBackend,
  type SigningBackend,
  setRecoveryBackend,
  setSigningBackend,
} from './signature.ts'

/**
 * The hot primitives of a replica in WebAssembly: signature recovery and signing by libsecp256k1 (Bitcoin Core's
 * library, compiled by `tiny-secp256k1`), about 5× faster than @noble/curves on one core, and keccak256 by
 * `hash-wasm`, about 7× faster than js-sha3 on a block's ops. Block signatures and block hashes are most of a
 * replica's work outside the fold (docs/BENCHMARKS.md), and the seal's signature is on every hop of finality's
 * critical path (bench:sync: ~2 ms per seal with @noble/curves in a busy renderer, ~0.5 ms idle in Node; 0.1 ms in
 * WebAssembly). Importing this module switches every later recovery, signature and hash to them; all are held to
 * the JavaScript implementations by property tests (signature.test.ts, hash.test.ts), so the switch never changes a
 * verdict, a signature (RFC 6979 fixes the nonce) or an id. Node entry points import it first; the browser loads it
 * in the background (src/main.tsx) and runs on the JavaScript implementations until it arrives (the WebAssembly is
 * 1.2 MB and must not delay the first screen).
 */
export const wasmRecovery: RecoveryBackend = (digest, rs, recovery) =>
  ecc.recover(digest, rs, recovery, false)

/** libsecp256k1's secp256k1_ecdsa_sign: RFC 6979 nonce (no extra entropy given), always low-s */
export const wasmSigning: SigningBackend = (digest, privateKey) => {
  const { signature, recoveryId } = ecc.signRecoverable(digest, privateKey)
  return { rs: signature, recovery: recoveryId }
}

const hasher = await createKeccak(256)
/** one hasher, used synchronously from init to digest (digest copies the result out of the WebAssembly memory) */
export const wasmKeccak: KeccakBackend = (data) => hasher.init().update(data).digest('binary')

setRecoveryBackend(wasmRecovery)
setSigningBackend(wasmSigning)
setKeccakBackend(wasmKeccak)
