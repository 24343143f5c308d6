import * as ecc from 'tiny-secp256k1'
import { type RecoveryBackend, setRecoveryBackend } from './signature.ts'

/**
 * Signature recovery by libsecp256k1 (Bitcoin Core's library, compiled to WebAssembly by `tiny-secp256k1`):
 * about 5× faster than @noble/curves on one core, and block signatures are most of a replica's work when many
 * participants each sign few ops (docs/BENCHMARKS.md). Importing this module switches every later recovery to it.
 * Node entry points import it first; the browser loads it in the background (src/main.tsx) and recovers with
 * @noble/curves until it arrives (the WebAssembly is 1.2 MB, so it must not delay the first screen).
 * Signing stays with @noble/curves (RFC 6979).
 */
export const wasmRecovery: RecoveryBackend = (digest, rs, recovery) =>
  ecc.recover(digest, rs, recovery, false)

setRecoveryBackend(wasmRecovery)
