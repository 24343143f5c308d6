import { describe, expect, it, vi } from 'vitest'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../core/ops.ts'
import { Reject } from '../core/reasons.ts'
import { type Submitter, submitChecked } from './submit.ts'

const sell = (price: bigint): Op => ({
  tag: OpTag.Place,
  market: 0,
  side: Side.Sell,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  price,
  qty: 1n,
})

function fakeSession(): Submitter & { submit: ReturnType<typeof vi.fn> } {
  return { submit: vi.fn(() => ({ seq: 1n, index: 0, result: Reject.None })) }
}

describe('submitChecked', () => {
  it('passes an encodable op in an open channel to the session', () => {
    const s = fakeSession()
    expect(submitChecked(s, sell(2000n), 'open')).toEqual({
      ok: true,
      seq: 1n,
      index: 0,
      result: Reject.None,
    })
    expect(s.submit).toHaveBeenCalledTimes(1)
  })

  it('refuses a 27-digit price before the op reaches the batch, naming the field', () => {
    const s = fakeSession()
    const r = submitChecked(s, sell(10n ** 26n), 'open')
    expect(r).toEqual({
      ok: false,
      reason: expect.stringContaining('price must be a whole number from 0 to'),
    })
    expect(s.submit).not.toHaveBeenCalled()
  })

  it('refuses orders and transfers during a dispute and everything once finalized, without touching the batch', () => {
    const s = fakeSession()
    const transfer: Op = { tag: OpTag.Transfer, to: 1, token: 0, amount: 5n }
    const cancel: Op = { tag: OpTag.Cancel, orderSeq: 1n, orderIndex: 0 }
    expect(submitChecked(s, sell(2000n), 'disputing')).toMatchObject({ ok: false, reason: /settling/ })
    expect(submitChecked(s, transfer, 'finalizable')).toMatchObject({ ok: false, reason: /settling/ })
    expect(s.submit).not.toHaveBeenCalled()
    // a cancel only releases funds: still allowed while disputing
    expect(submitChecked(s, cancel, 'disputing')).toMatchObject({ ok: true })
    expect(submitChecked(s, cancel, 'finalized')).toMatchObject({ ok: false, reason: /finalized/ })
    expect(submitChecked(s, sell(2000n), 'finalized')).toMatchObject({ ok: false, reason: /finalized/ })
    expect(s.submit).toHaveBeenCalledTimes(1)
  })

  it('turns what the session throws into a refusal', () => {
    const s: Submitter = {
      submit: () => {
        throw new Error('batch full')
      },
    }
    expect(submitChecked(s, sell(1n), 'open')).toEqual({ ok: false, reason: 'batch full' })
  })
})
