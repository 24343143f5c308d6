import { concatBytes, fromHex, type Hex, uintToBytes } from './bytes.ts'

/** A minimal Solidity `abi.encode` for the static words and address/uint arrays the protocol hashes. */
export type AbiValue =
  | { type: 'uint'; value: bigint }
  | { type: 'address'; value: Hex }
  | { type: 'bytes32'; value: Uint8Array }
  | { type: 'address[]'; value: readonly Hex[] }
  | { type: 'uint[]'; value: readonly bigint[] }

export function addressWord(address: Hex): Uint8Array {
  const out = new Uint8Array(32)
  out.set(fromHex(address, 20), 12)
  return out
}

function staticWord(v: AbiValue): Uint8Array {
  switch (v.type) {
    case 'uint':
      return uintToBytes(v.value, 32)
    case 'address':
      return addressWord(v.value)
    case 'bytes32':
      if (v.value.length !== 32) throw new RangeError('bytes32 must be 32 bytes')
      return v.value
    default:
      throw new TypeError(`not a static type: ${v.type}`)
  }
}

/** abi.encode(values...) for head/tail layout with dynamic arrays of static words. */
export function abiEncode(values: readonly AbiValue[]): Uint8Array {
  const heads: Uint8Array[] = []
  const tails: Uint8Array[] = []
  let tailOffset = 32 * values.length
  for (const v of values) {
    if (v.type === 'address[]' || v.type === 'uint[]') {
      heads.push(uintToBytes(BigInt(tailOffset), 32))
      const words = v.type === 'address[]' ? v.value.map(addressWord) : v.value.map((x) => uintToBytes(x, 32))
      const tail = concatBytes(uintToBytes(BigInt(words.length), 32), ...words)
      tails.push(tail)
      tailOffset += tail.length
    } else heads.push(staticWord(v))
  }
  return concatBytes(...heads, ...tails)
}
