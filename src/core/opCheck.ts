import { encodeOps } from './opCodec.ts'
import { type Op, OpTag } from './ops.ts'

/**
 * Range checks of an op's fields against what the block codec (ops.ts `writeOp`) can encode, before the op is
 * submitted: an op the codec cannot encode must never enter a batch, or the batch — and with it every later block
 * of the author's log — could never be sealed. Each refusal names the field and its bounds, so a form can say
 * which input is wrong.
 */

const U8 = 0xffn
const U16 = 0xffffn
const U64 = (1n << 64n) - 1n
const U128 = (1n << 128n) - 1n

type FieldSpec = { field: string; max: bigint }

/** The encoded fields of each op kind with their inclusive upper bounds (all lower bounds are 0). */
const FIELDS: Record<number, readonly FieldSpec[]> = {
  [OpTag.Deposit]: [
    { field: 'depositIndex', max: U64 },
    { field: 'participant', max: U16 },
    { field: 'token', max: U16 },
    { field: 'amount', max: U128 },
  ],
  [OpTag.Withdraw]: [
    { field: 'token', max: U16 },
    { field: 'amount', max: U128 },
  ],
  [OpTag.Transfer]: [
    { field: 'to', max: U16 },
    { field: 'token', max: U16 },
    { field: 'amount', max: U128 },
  ],
  [OpTag.Lock]: [
    { field: 'token', max: U16 },
    { field: 'amount', max: U128 },
    { field: 'until', max: U64 },
    { field: 'reason', max: U8 },
  ],
  [OpTag.Unlock]: [
    { field: 'lockSeq', max: U64 },
    { field: 'lockIndex', max: U16 },
  ],
  [OpTag.Place]: [
    { field: 'market', max: U16 },
    { field: 'side', max: 1n },
    { field: 'kind', max: 1n },
    { field: 'tif', max: 2n },
    { field: 'price', max: U64 },
    { field: 'qty', max: U64 },
  ],
  [OpTag.Cancel]: [
    { field: 'orderSeq', max: U64 },
    { field: 'orderIndex', max: U16 },
  ],
  [OpTag.OraclePrice]: [
    { field: 'market', max: U16 },
    { field: 'price', max: U64 },
  ],
  [OpTag.PerpPlace]: [
    { field: 'market', max: U16 },
    { field: 'side', max: 1n },
    { field: 'kind', max: 1n },
    { field: 'tif', max: 2n },
    { field: 'price', max: U64 },
    { field: 'qty', max: U64 },
  ],
  [OpTag.MarginDeposit]: [{ field: 'amount', max: U128 }],
  [OpTag.MarginWithdraw]: [{ field: 'amount', max: U128 }],
  [OpTag.Liquidate]: [
    { field: 'trader', max: U16 },
    { field: 'market', max: U16 },
  ],
  [OpTag.LendSupply]: [
    { field: 'token', max: U16 },
    { field: 'amount', max: U128 },
  ],
  [OpTag.LendWithdraw]: [
    { field: 'token', max: U16 },
    { field: 'amount', max: U128 },
  ],
  [OpTag.LendBorrow]: [
    { field: 'token', max: U16 },
    { field: 'amount', max: U128 },
  ],
  [OpTag.LendRepay]: [
    { field: 'token', max: U16 },
    { field: 'amount', max: U128 },
  ],
  [OpTag.LendLiquidate]: [
    { field: 'trader', max: U16 },
    { field: 'debtToken', max: U16 },
    { field: 'collateralToken', max: U16 },
    { field: 'amount', max: U128 },
  ],
  [OpTag.AmmAdd]: [
    { field: 'market', max: U16 },
    { field: 'baseMax', max: U128 },
    { field: 'quoteMax', max: U128 },
    { field: 'minShares', max: U128 },
    { field: 'voteBps', max: U16 },
  ],
  [OpTag.AmmRemove]: [
    { field: 'market', max: U16 },
    { field: 'shares', max: U128 },
    { field: 'minBase', max: U128 },
    { field: 'minQuote', max: U128 },
  ],
  [OpTag.AmmSwap]: [
    { field: 'market', max: U16 },
    { field: 'side', max: 1n },
    { field: 'amountIn', max: U128 },
    { field: 'minOut', max: U128 },
    { field: 'deadline', max: U64 },
  ],
  [OpTag.AmmVote]: [
    { field: 'market', max: U16 },
    { field: 'voteBps', max: U16 },
  ],
  [OpTag.AmmShareTransfer]: [
    { field: 'market', max: U16 },
    { field: 'to', max: U16 },
    { field: 'shares', max: U128 },
  ],
}

export type OpCheck =
  | { ok: true }
  | {
      ok: false
      /** the op's field that cannot be encoded ('' when the op as a whole cannot) */
      field: string
      /** inclusive bounds of the field, when it is a number */
      min?: bigint
      max?: bigint
      message: string
    }

/** The inclusive bounds the codec accepts for `field` of ops of kind `tag`, or undefined if it has none. */
export function fieldBounds(tag: number, field: string): { min: bigint; max: bigint } | undefined {
  const f = FIELDS[tag]?.find((x) => x.field === field)
  return f && { min: 0n, max: f.max }
}

/**
 * Whether `op` can be encoded: every field an integer within its bounds (bigint fields bigints, number fields safe
 * integers), byte fields of their length. Never throws. Ok means the codec will accept the op; it says nothing
 * about whether the fold accepts it (funds, roles, markets).
 */
export function checkOp(op: Op): OpCheck {
  const o = op as unknown as Record<string, unknown>
  for (const spec of FIELDS[op.tag] ?? []) {
    if (!(spec.field in o)) continue
    const v = o[spec.field]
    let n: bigint | undefined
    if (typeof v === 'bigint') n = v
    else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v)
    if (n === undefined || n < 0n || n > spec.max)
      return {
        ok: false,
        field: spec.field,
        min: 0n,
        max: spec.max,
        message: `${spec.field} must be a whole number from 0 to ${spec.max}${n === undefined ? '' : `, got ${n}`}`,
      }
  }
  // the codec has the last word (ops without a table entry, byte lengths, kinds this table does not know)
  try {
    encodeOps([op])
  } catch (e) {
    return {
      ok: false,
      field: '',
      message: `op cannot be encoded: ${e instanceof Error ? e.message : String(e)}`,
    }
  }
  return { ok: true }
}
