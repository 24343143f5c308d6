import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkOp, fieldBounds } from './opCheck.ts'
import { encodeOps } from './opCodec.ts'
import { type Op, OpTag, OrderKind, type PlaceOp, Side, TimeInForce } from './ops.ts'

const U64 = (1n << 64n) - 1n
const U128 = (1n << 128n) - 1n
const place = (price: bigint, qty = 1n): PlaceOp => ({
  tag: OpTag.Place,
  market: 0,
  side: Side.Sell,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  price,
  qty,
})

const encodes = (op: Op) => {
  try {
    encodeOps([op])
    return true
  } catch {
    return false
  }
}

describe('checkOp', () => {
  it('refuses a sell at a 27-digit price, naming the field and its bounds (issue 11 item 4)', () => {
    const op = place(10n ** 26n)
    expect(encodes(op)).toBe(false)
    const r = checkOp(op)
    expect(r).toMatchObject({ ok: false, field: 'price', min: 0n, max: U64 })
    expect(r.ok === false && r.message).toContain(
      'price must be a whole number from 0 to 18446744073709551615',
    )
  })

  it('accepts the bounds themselves and refuses one past them', () => {
    expect(checkOp(place(U64, U64))).toEqual({ ok: true })
    expect(checkOp(place(U64 + 1n))).toMatchObject({ ok: false, field: 'price' })
    expect(checkOp(place(1n, U64 + 1n))).toMatchObject({ ok: false, field: 'qty' })
    expect(checkOp(place(-1n))).toMatchObject({ ok: false, field: 'price' })
    expect(checkOp({ tag: OpTag.Transfer, to: 1, token: 0, amount: U128 })).toEqual({ ok: true })
    expect(checkOp({ tag: OpTag.Transfer, to: 1, token: 0, amount: U128 + 1n })).toMatchObject({
      ok: false,
      field: 'amount',
      max: U128,
    })
    expect(checkOp({ tag: OpTag.Transfer, to: 0x10000, token: 0, amount: 1n })).toMatchObject({
      ok: false,
      field: 'to',
    })
    expect(checkOp({ tag: OpTag.Cancel, orderSeq: 1n, orderIndex: 1.5 })).toMatchObject({
      ok: false,
      field: 'orderIndex',
    })
    expect(checkOp({ ...place(1n), side: 2 as Side })).toMatchObject({ ok: false, field: 'side', max: 1n })
  })

  it('never throws, and says ok exactly when the codec encodes the op', () => {
    const big = fc.bigInt({ min: -(1n << 130n), max: 1n << 130n })
    const near = (max: bigint) =>
      fc.oneof(fc.bigInt({ min: 0n, max }), fc.constantFrom(max, max + 1n, -1n, 0n), big)
    const int = (max: number) => fc.oneof(fc.integer({ min: 0, max }), fc.integer({ min: -5, max: max + 5 }))
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        tag: fc.constant(OpTag.Place),
        market: int(0xffff),
        side: int(1),
        kind: int(1),
        tif: int(2),
        price: near(U64),
        qty: near(U64),
      }) as fc.Arbitrary<Op>,
      fc.record({
        tag: fc.constant(OpTag.Transfer),
        to: int(0xffff),
        token: int(0xffff),
        amount: near(U128),
      }),
      fc.record({ tag: fc.constant(OpTag.Withdraw), token: int(0xffff), amount: near(U128) }),
      fc.record({ tag: fc.constant(OpTag.Cancel), orderSeq: near(U64), orderIndex: int(0xffff) }),
    )
    fc.assert(
      fc.property(op, (o) => {
        expect(checkOp(o).ok).toBe(encodes(o))
      }),
      { numRuns: 2000 },
    )
  })

  it('exposes the bounds for forms', () => {
    expect(fieldBounds(OpTag.Place, 'price')).toEqual({ min: 0n, max: U64 })
    expect(fieldBounds(OpTag.Transfer, 'amount')).toEqual({ min: 0n, max: U128 })
    expect(fieldBounds(OpTag.Place, 'nothing')).toBeUndefined()
  })
})
