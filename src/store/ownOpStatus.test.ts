import { describe, expect, it } from 'vitest'
import { OpTag } from '../core/ops.ts'
import { authoringReplicas, makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import { ownOpStatus } from './ownOpStatus.ts'

const tc = makeTestChannel({ participants: 4, label: 'own-op-status' })
const deposits = testDeposits(4, 2, 1_000_000_000n)
const network = (extra: { refDepth?: number; lateSlack?: number } = {}) =>
  authoringReplicas(tc, deposits, extra)
const transfer = (to: number, amount: bigint) => ({ tag: OpTag.Transfer, to, token: 0, amount }) as const

describe('ownOpStatus', () => {
  it('is pending while batched and while sealed but not final, then final once the network builds on it', () => {
    const reps = network()
    const a = reps[0]!
    const { seq } = a.submit(transfer(1, 10n))
    expect(ownOpStatus(a, 0, seq)).toBe('pending')
    // sealed and published to nobody: not final
    const sealed = runToQuiet([a])
    expect(a.dag.bySeq[0]!.get(Number(seq))).toBeDefined()
    expect(ownOpStatus(a, 0, seq)).toBe('pending')
    for (const r of reps.slice(1)) r.receiveMany(sealed)
    runToQuiet(reps)
    expect(ownOpStatus(a, 0, seq)).toBe('final')
    // a later op is pending again while the earlier one stays final
    const next = a.submit(transfer(1, 1n))
    expect(next.seq).toBeGreaterThan(seq)
    expect(ownOpStatus(a, 0, next.seq)).toBe('pending')
    expect(ownOpStatus(a, 0, seq)).toBe('final')
  })

  it('says dropped for an op whose block expired (a chain restart) and final for the one after it', () => {
    const D = 3
    const K = 3
    const reps = network({ refDepth: D, lateSlack: K })
    const [cut, others] = [reps[3]!, reps.slice(0, 3)]
    let now = 0
    const lostOp = cut.submit(transfer(0, 777n), now)
    const lost = runToQuiet([cut], now)
    const meanwhile: Uint8Array[] = []
    for (let k = 0; k < 4 * (D + K); k++) {
      for (const [i, r] of others.entries()) r.submit(transfer((i + 1) % 3, 1n), now)
      now += 100
      meanwhile.push(...runToQuiet(others, now))
    }
    cut.receiveMany(meanwhile)
    for (const r of others) r.receiveMany(lost)
    const after = cut.submit(transfer(1, 5n), now)
    runToQuiet(reps, now + 100)
    expect(ownOpStatus(cut, 3, lostOp.seq)).toBe('dropped')
    expect(ownOpStatus(cut, 3, after.seq)).toBe('final')
  })
})
