import { createKeccak } from 'hash-wasm'
import * as ecc from 'tiny-secp256k1'
import { type KeccakBackend, setKeccakBackend } from './hash.ts'
import { type RecoveryBackend, setRecoveryBackend } from './signature.ts'

/**
 * The two hot primitives of a replica in WebAssembly: signature recovery by libsecp256k1 (Bitcoin Core's library,
 * compiled by `tiny-secp256k1`), about 5× faster than @noble/curves on one core, and keccak256 by `hash-wasm`,
 * about 7× faster than js-sha3 on a block's ops. Block signatures and block hashes are most of a replica's work
 * outside the fold (docs/BENCHMARKS.md). Importing this module switches every later recovery and hash to them;
 * both are held to the JavaScript implementations by property tests (signature.test.ts, hash.test.ts), so the
 * switch never changes a verdict or an id. Node entry points import it first; the browser loads it in the
 * background (src/main.tsx) and runs on the JavaScript implementations until it arrives (the WebAssembly is 1.2 MB
 * and must not delay the first screen). Signing stays with @noble/curves (RFC 6979).
 */
export const wasmRecovery: RecoveryBackend = (digest, rs, recovery) =>
  ecc.recover(digest, rs, recovery, false)

const hasher = await createKeccak(256)
/** one hasher, used synchronously from init to digest (digest copies the result out of the WebAssembly memory) */
export const wasmKeccak: KeccakBackend = (data) => hasher.init().update(data).digest('binary')

setRecoveryBackend(wasmRecovery)
setKeccakBackend(wasmKeccak)
