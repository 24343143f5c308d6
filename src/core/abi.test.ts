import fc from 'fast-check'
import { encodeAbiParameters } from 'viem'
import { describe, expect, it } from 'vitest'
import { type AbiValue, abiEncode } from './abi.ts'
import { type Hex, toHex } from './bytes.ts'

const U256_MAX = (1n << 256n) - 1n
const uint = fc.oneof(fc.bigInt({ min: 0n, max: U256_MAX }), fc.constantFrom(0n, 1n, U256_MAX))
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b))
const word = fc.uint8Array({ minLength: 32, maxLength: 32 })

const value: fc.Arbitrary<AbiValue> = fc.oneof(
  uint.map((v) => ({ type: 'uint' as const, value: v })),
  address.map((v) => ({ type: 'address' as const, value: v })),
  word.map((v) => ({ type: 'bytes32' as const, value: v })),
  fc.array(address, { maxLength: 5 }).map((v) => ({ type: 'address[]' as const, value: v })),
  fc.array(uint, { maxLength: 5 }).map((v) => ({ type: 'uint[]' as const, value: v })),
)

/** The same values as viem sees them: Solidity types and viem value shapes. */
function viemEncode(values: AbiValue[]): Hex {
  const types = values.map((v) => ({
    type: v.type === 'uint' ? 'uint256' : v.type === 'uint[]' ? 'uint256[]' : v.type,
  }))
  const vals = values.map((v) => (v.type === 'bytes32' ? toHex(v.value) : v.value))
  return encodeAbiParameters(types, vals)
}

describe('abi.encode agrees with viem (what Solidity computes)', () => {
  it('random mixes of static words and dynamic arrays', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 8 }), (values) => {
        expect(toHex(abiEncode(values))).toBe(viemEncode(values))
      }),
      { numRuns: 300 },
    )
  })

  it('the channel-id tuple shape (two dynamic arrays between static words)', () => {
    const values: AbiValue[] = [
      { type: 'uint', value: 31337n },
      { type: 'address', value: '0x5fbdb2315678afecb367f032d93f642f64180aa3' },
      { type: 'address[]', value: ['0x00000000000000000000000000000000000000b1'] },
      { type: 'uint[]', value: [] },
      { type: 'uint', value: 2n },
    ]
    expect(toHex(abiEncode(values))).toBe(viemEncode(values))
  })
})

describe('abi.encode range checks (THREATS row 15)', () => {
  it('rejects uint values outside uint256', () => {
    expect(() => abiEncode([{ type: 'uint', value: U256_MAX + 1n }])).toThrow(RangeError)
    expect(() => abiEncode([{ type: 'uint', value: -1n }])).toThrow(RangeError)
    expect(() => abiEncode([{ type: 'uint[]', value: [1n, -1n] }])).toThrow(RangeError)
  })
  it('rejects bytes32 of the wrong length', () => {
    expect(() => abiEncode([{ type: 'bytes32', value: new Uint8Array(31) }])).toThrow(RangeError)
    expect(() => abiEncode([{ type: 'bytes32', value: new Uint8Array(33) }])).toThrow(RangeError)
  })
  it('rejects malformed addresses', () => {
    expect(() => abiEncode([{ type: 'address', value: '0x1234' }])).toThrow()
    expect(() => abiEncode([{ type: 'address', value: `0x${'zz'.repeat(20)}` }])).toThrow()
    expect(() => abiEncode([{ type: 'address[]', value: [`0x${'00'.repeat(21)}`] }])).toThrow()
  })
})
