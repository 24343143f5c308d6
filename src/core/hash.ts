import sha3 from 'js-sha3'

const { keccak_256 } = sha3

/** keccak256 of bytes: the JavaScript implementation or, once loaded, WebAssembly (wasmCrypto.ts). */
export type KeccakBackend = (data: Uint8Array) => Uint8Array

/** js-sha3, ~2× faster than the other JavaScript implementations measured here; available from the start. */
export const jsKeccak: KeccakBackend = (data) => new Uint8Array(keccak_256.arrayBuffer(data))

let backend: KeccakBackend = jsKeccak

/** Switches every later hash (see wasmCrypto.ts); any backend must return the same digest for every input. */
export function setKeccakBackend(next: KeccakBackend): void {
  backend = next
}

/** keccak256 (Ethereum's pre-standard SHA-3). */
export function keccak256(data: Uint8Array): Uint8Array {
  return backend(data)
}
