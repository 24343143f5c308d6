import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../ops.ts'
import { BatchFullError } from '../replica.ts'
import { stateRoot } from '../roots.ts'
import { Rng } from '../sim/rng.ts'
import { authoringReplicas, makeTestChannel, testDeposits } from '../testing.ts'

const tc = makeTestChannel({ participants: 4, label: 'execution' })
const deposits = testDeposits(4, 2, 1_000_000_000n)

function randomOp(rng: Rng, i: number): Op {
  const side = rng.next() < 0.5 ? Side.Buy : Side.Sell
  if (rng.next() < 0.3)
    return { tag: OpTag.Transfer, to: (i + 1 + rng.int(0, 3)) % 4, token: rng.int(0, 2), amount: 7n }
  return {
    tag: OpTag.Place,
    market: 0,
    side,
    kind: OrderKind.Limit,
    tif: TimeInForce.GTC,
    price: BigInt(rng.int(95, 106)),
    qty: BigInt(rng.int(1, 30)),
  }
}

describe('final state kept incrementally', () => {
  it('equals a fresh fold of the final prefix after every step, and no other state shares its objects', () => {
    const rng = new Rng(5)
    const reps = authoringReplicas(tc, deposits, { snapshotInterval: 8 })
    const queue: { to: number; bytes: Uint8Array; at: number }[] = []
    const lastRead = [0, 0, 0, 0]
    let advanced = 0
    for (let now = 1; now <= 500; now++) {
      if (now <= 400) {
        const i = rng.int(0, 4)
        try {
          reps[i]!.submit(randomOp(rng, i), now)
        } catch (e) {
          if (!(e instanceof BatchFullError)) throw e
        }
      }
      for (const [i, r] of reps.entries()) {
        const b = r.tick(now)
        if (b)
          for (let j = 0; j < 4; j++) if (j !== i) queue.push({ to: j, bytes: b, at: now + rng.int(0, 6) })
      }
      for (let k = queue.length - 1; k >= 0; k--)
        if (queue[k]!.at <= now) {
          reps[queue[k]!.to]!.receive(queue[k]!.bytes)
          queue.splice(k, 1)
        }
      const r = reps[now % 4]!
      if (r.finalCount > lastRead[now % 4]!) advanced++
      lastRead[now % 4] = r.finalCount
      const cached = r.finalState()
      const fresh = r.execution.stateAt(r.finalCount)
      expect(toHex(stateRoot(cached))).toBe(toHex(stateRoot(fresh)))
      // the cache is not the live state: pending ops are not in it
      expect(cached).not.toBe(r.state)
    }
    // the final prefix grew between reads many times: the in-place advance was exercised, not only fresh folds
    expect(advanced).toBeGreaterThan(50)
    expect(reps[0]!.finalCount).toBeGreaterThan(50)
  })
})
