import { toHex } from './bytes.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from './ops.ts'
import { BatchFullError, Replica, type ReplicaOptions } from './replica.ts'
import { Rng } from './sim/rng.ts'
import { makeTestChannel, type TestChannel, testDeposits } from './testing.ts'

/** What the Replica tests share: a 4-participant test channel, op builders, a network of replicas, random histories. */

export const AMOUNT = 1_000_000_000n
export const tc = makeTestChannel({ participants: 4, label: 'replica' })
export const deposits = testDeposits(4, 2, AMOUNT)
export const transfer = (to: number, amount: bigint, token = 0): Op => ({
  tag: OpTag.Transfer,
  to,
  token,
  amount,
})
export const limit = (side: Side, price: bigint, qty: bigint): Op => ({
  tag: OpTag.Place,
  market: 0,
  side,
  kind: OrderKind.Limit,
  tif: TimeInForce.GTC,
  price,
  qty,
})

export function network(ch: TestChannel = tc, opts: ReplicaOptions = {}, who?: number[]) {
  return (who ?? ch.members.map((m) => m.index)).map(
    (i) =>
      new Replica(ch.channel, {
        ignoreForcedQueue: true,
        author: { index: i, sessionKey: ch.members[i]!.sessionKey },
        deposits,
        leaderWaitMs: 0,
        ...opts,
      }),
  )
}
export const observer = (opts: ReplicaOptions = {}) =>
  new Replica(tc.channel, { ignoreForcedQueue: true, deposits, ...opts })
export const root = (r: Replica) => toHex(r.stateRoot())

/**
 * A random honest history: four authors trade while blocks reach peers after random delays, so rounds form from
 * partial views. Returns every block any replica sealed.
 */
export function randomHistory(seed: number, steps: number): Uint8Array[] {
  const rng = new Rng(seed)
  const reps = network()
  const queue: { to: number; bytes: Uint8Array; at: number }[] = []
  const all: Uint8Array[] = []
  const open = new Map<number, { seq: bigint; index: number }[]>()
  for (let now = 1; now <= steps + 400; now++) {
    if (now <= steps) {
      const i = rng.int(0, 4)
      const x = rng.next()
      const price = BigInt(rng.int(95, 106))
      const qty = BigInt(rng.int(1, 30))
      const side = rng.next() < 0.5 ? Side.Buy : Side.Sell
      let op: Op = limit(side, price, qty)
      if (x < 0.25) op = transfer((i + 1 + rng.int(0, 3)) % 4, BigInt(rng.int(1, 2e9)), rng.int(0, 2))
      else if (x < 0.35)
        op = {
          tag: OpTag.Place,
          market: 0,
          side,
          kind: OrderKind.Market,
          tif: 1,
          price: side ? 1n : 1000n,
          qty,
        }
      else if (x < 0.45 && (open.get(i)?.length ?? 0) > 0) {
        const o = open.get(i)!.pop()!
        op = { tag: OpTag.Cancel, orderSeq: o.seq, orderIndex: o.index }
      }
      try {
        const res = reps[i]!.submit(op, now)
        if (op.tag === OpTag.Place && op.kind === OrderKind.Limit) {
          const l = open.get(i) ?? []
          l.push({ seq: res.seq, index: res.index })
          open.set(i, l)
        }
      } catch (e) {
        if (!(e instanceof BatchFullError)) throw e
      }
    }
    for (const [i, r] of reps.entries()) {
      const b = r.tick(now)
      if (!b) continue
      all.push(b)
      for (let j = 0; j < 4; j++) if (j !== i) queue.push({ to: j, bytes: b, at: now + rng.int(0, 6) })
    }
    for (let k = queue.length - 1; k >= 0; k--)
      if (queue[k]!.at <= now) {
        reps[queue[k]!.to]!.receive(queue[k]!.bytes)
        queue.splice(k, 1)
      }
  }
  return all
}
