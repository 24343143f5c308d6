import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { Replica } from '../replica.ts'
import { DagBuilder, makeTestChannel } from '../testing.ts'

const tc = makeTestChannel({ participants: 4, label: 'proven-replay' })
const make = () => new Replica(tc.channel, { ignoreForcedQueue: true })

/**
 * Author 3 signs twins at round 1 (X1, X2: same seq and round). Leader 2 of round 2 cites X1 only; author 1's round 2
 * block cites X2, and leader 0 of round 4 (round 3's leader, author 3, is silent and skipped) makes X2 final: X1 and
 * X2 become final under two leaders, X2 is the proof. Authors 0, 1, 2 go on to round 8. A replica fed block by block
 * knows the fork before X2 is final, so it applies X2 void (pending, no proof) and nothing else lands inside the tail:
 * without finalOrder.ts replaying from the proof, its state never records `proven` and its root differs from a
 * replica's that applied X2 only once final.
 */
function twinsUnderTwoLeaders() {
  const b = new DagBuilder(tc)
  const bytes = b.round(1, [0, 1, 2, 3])
  const x1 = b.at.get(1)!.get(3)!
  bytes.push(...b.round(2, [2, 0], { 0: [0, 1, 2, 3], 2: [0, 1, 2, 3] }))
  b.rewind(3, undefined)
  const x2 = b.block(3, 1, [], [], [], 1n)
  bytes.push(x2.bytes, b.block(1, 2, [0, 1, 2, 3]).bytes)
  // each round's leader first, then by author: the order a replica folds them in (no block lands inside the tail)
  const authors = (r: number) => [r % 4, 0, 1, 2].filter((a, i, all) => a !== 3 && all.indexOf(a) === i)
  for (let r = 3; r <= 8; r++)
    bytes.push(...b.round(r, authors(r), { 0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2] }))
  return { bytes, x1: toHex(x1.id), x2: toHex(x2.id) }
}

describe('the proof of a fork that was void while pending (finalOrder.ts, ChannelState.proven)', () => {
  it('a replica that applied the proof as pending folds it again when it is final: same root as one fed at once', () => {
    const { bytes, x1, x2 } = twinsUnderTwoLeaders()
    const atOnce = make()
    atOnce.receiveMany(bytes)
    const stepwise = make()
    let x1FinalFirst = false
    for (const block of bytes) {
      stepwise.receive(block)
      const [n1, n2] = [stepwise.nodes.get(x1), stepwise.nodes.get(x2)]
      if (n1 && n2 && stepwise.isFinal(n1) && !stepwise.isFinal(n2)) x1FinalFirst = true
    }
    // the case: X1 final under one leader while X2, known (so void) and pending, waits for the next
    expect(x1FinalFirst).toBe(true)
    expect(toHex(stepwise.stateRoot())).toBe(toHex(atOnce.stateRoot()))
    for (const r of [atOnce, stepwise]) {
      expect(r.isFinal(r.nodes.get(x2)!)).toBe(true)
      expect(r.equivocators()).toEqual([3])
      expect(r.state.proven).toBe(1n << 3n)
      expect(r.finalState().proven).toBe(1n << 3n)
    }
  })
})
