import sha3 from 'js-sha3'

const { keccak_256 } = sha3

/** keccak256 (Ethereum's pre-standard SHA-3). js-sha3 is ~2x faster than the alternatives measured here. */
export function keccak256(data: Uint8Array): Uint8Array {
  return new Uint8Array(keccak_256.arrayBuffer(data))
}
