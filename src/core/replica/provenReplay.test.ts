import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { slotOffset } from '../leaders.ts'
import { Replica } from '../replica.ts'
import { DagBuilder, makeTestChannel } from '../testing.ts'

const tc = makeTestChannel({ participants: 4, label: 'proven-replay' })
const make = () => new Replica(tc.channel, { ignoreForcedQueue: true })

/**
 * Author 3 signs twins at round 1 (X1, X2: same seq and round) and falls silent. Every round-2 block votes for X1, so
 * X1 fills author 3's round-1 slot and is final once round 3 arrives. X2 is known from the start (the fork is
 * evidence before anything is final); author 2's round-2 block, round 2's first slot, also cites it, so X2 becomes
 * final at the head of that slot's history when round 4 arrives: the proof of the fork. A replica fed block by block
 * applies X2 void while pending (no proof yet), and the commit that makes it final emits exactly the pending order
 * (nothing lands inside the tail): without finalOrder.ts replaying from the proof, its state never records `proven`
 * and its root differs from a replica's that applied X2 only once final.
 */
function twinsUnderTwoLeaders() {
  const b = new DagBuilder(tc)
  const bytes = b.round(1, [0, 1, 2, 3])
  const x1 = b.at.get(1)!.get(3)!
  // the twin sorts after X1 in its slot (blocks of a slot are taken in id order), whatever the channel's ids are
  let x2: { id: Uint8Array; bytes: Uint8Array }
  let time = 0n
  do {
    b.rewind(3, undefined)
    x2 = b.block(3, 1, [], [], [], ++time)
  } while (toHex(x2.id) < toHex(x1.id))
  bytes.push(x2.bytes)
  b.at.get(1)!.set(3, x1)
  // author 2's round-2 block (round 2's first slot) cites X1 and then X2: like every round-2 block it votes for X1
  bytes.push(b.block(2, 2, [0, 1, 2, 3], [], [x2.id]).bytes)
  bytes.push(b.block(0, 2, [0, 1, 2, 3]).bytes, b.block(1, 2, [0, 1, 2, 3]).bytes)
  // each round in slot order (leaders.ts), the order a replica folds them in: no block lands inside the tail
  for (let r = 3; r <= 8; r++) {
    const authors = [0, 1, 2].sort((a, c) => slotOffset(a, r, 4) - slotOffset(c, r, 4))
    bytes.push(...b.round(r, authors, { 0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2] }))
  }
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
