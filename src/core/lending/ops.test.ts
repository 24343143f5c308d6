import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkOp } from '../opCheck.ts'
import { decodeOps, encodeOps, OpDecodeError } from '../opCodec.ts'
import { type Op, OpTag } from '../ops.ts'
import { opPermission } from '../phase.ts'

/** The lending ops' fixed layouts: tag ‖ u16 token ‖ u128 amount, and tag ‖ u16 trader ‖ u16 debt ‖ u16 coll ‖ u128. */
const U128 = (1n << 128n) - 1n
const amount = fc.bigInt({ min: 0n, max: U128 })
const u16 = fc.integer({ min: 0, max: 0xffff })
const lendOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    tag: fc.constantFrom(OpTag.LendSupply, OpTag.LendWithdraw, OpTag.LendBorrow, OpTag.LendRepay),
    token: u16,
    amount,
  }) as fc.Arbitrary<Op>,
  fc.record({
    tag: fc.constant(OpTag.LendLiquidate),
    trader: u16,
    debtToken: u16,
    collateralToken: u16,
    amount,
  }) as fc.Arbitrary<Op>,
)

describe('lending op codec', () => {
  it('round-trips every lending op, byte for byte', () => {
    fc.assert(
      fc.property(fc.array(lendOp, { maxLength: 8 }), (ops) => {
        const bytes = encodeOps(ops)
        expect(decodeOps(bytes)).toEqual(ops)
        expect(encodeOps(decodeOps(bytes))).toEqual(bytes)
      }),
    )
  })

  it('has the fixed sizes and refuses truncated or trailing bytes', () => {
    expect(encodeOps([{ tag: OpTag.LendSupply, token: 1, amount: 5n }]).length).toBe(2 + 1 + 2 + 16)
    const liq = encodeOps([
      { tag: OpTag.LendLiquidate, trader: 1, debtToken: 0, collateralToken: 1, amount: 5n },
    ])
    expect(liq.length).toBe(2 + 1 + 6 + 16)
    expect(() => decodeOps(liq.slice(0, -1))).toThrow(OpDecodeError)
    expect(() => decodeOps(new Uint8Array([...liq, 0]))).toThrow(OpDecodeError)
  })

  it('refuses out-of-range fields before encoding', () => {
    expect(() => encodeOps([{ tag: OpTag.LendBorrow, token: 1, amount: U128 + 1n }])).toThrow(RangeError)
    expect(() => encodeOps([{ tag: OpTag.LendRepay, token: 0x10000, amount: 1n }])).toThrow(RangeError)
    expect(checkOp({ tag: OpTag.LendSupply, token: 1, amount: U128 + 1n })).toMatchObject({
      ok: false,
      field: 'amount',
    })
    expect(
      checkOp({ tag: OpTag.LendLiquidate, trader: 70_000, debtToken: 0, collateralToken: 1, amount: 1n }),
    ).toMatchObject({ ok: false, field: 'trader' })
  })

  it('are refused once the channel settles on chain (they move funds)', () => {
    for (const tag of [
      OpTag.LendSupply,
      OpTag.LendWithdraw,
      OpTag.LendBorrow,
      OpTag.LendRepay,
      OpTag.LendLiquidate,
    ])
      for (const phase of ['disputing', 'finalizable', 'finalized'] as const)
        expect(opPermission(phase, tag).allowed).toBe(false)
  })
})
