import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeBlock, encodeBlock } from '../core/block.ts'
import { toHex } from '../core/bytes.ts'
import { OpTag, OrderKind, Side, TimeInForce } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { Rng } from '../core/sim/rng.ts'
import { encodeBase } from '../core/snapshot/base.ts'
import { authoringReplicas, makeTestChannel, runToQuiet, testDeposits } from '../core/testing.ts'
import { restoreReplica } from '../store/restoreReplica.ts'
import { openFileBlockStore } from './fileBlockStore.ts'
import { markOf, nextOps } from './strategy.ts'

const tc = makeTestChannel({ participants: 2, label: 'agent' })
const deposits = testDeposits(2, 2, 10n ** 12n)
const replicas = () => authoringReplicas(tc, deposits)

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'chx-fbs-'))
  dirs.push(d)
  return d
}

/** Two different blocks of participant 0 at seq 1 (two replicas with the same key: what a wiped agent would do). */
function twoBlocksAtSeq1(): [Uint8Array, Uint8Array] {
  const [a] = replicas()
  const [b] = replicas()
  a!.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, 0)
  b!.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 2n }, 0)
  return [a!.tick(1)!, b!.tick(1)!]
}

describe('file block store', () => {
  it('keeps blocks across reopenings, in seq order, and knows the next seq', async () => {
    const dir = tmp()
    const rs = replicas()
    rs[0]!.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, 0)
    runToQuiet(rs)
    const mine = rs[0]!.order.filter((n) => n.author === 0).map((n) => encodeBlock(n.block))
    expect(mine.length).toBeGreaterThan(1)
    const store = openFileBlockStore(dir)
    expect(await store.nextSeq()).toBe(1n)
    for (const b of [...mine].reverse()) await store.append(b)
    const again = openFileBlockStore(dir)
    expect(await again.load()).toEqual(mine)
    expect(await again.nextSeq()).toBe(BigInt(mine.length + 1))
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('refuses a different block at a stored seq (equivocation), accepts the same one again', async () => {
    const dir = tmp()
    const [x, y] = twoBlocksAtSeq1()
    const store = openFileBlockStore(dir)
    await store.append(x)
    await store.append(x)
    await expect(store.append(y)).rejects.toThrow(/equivocation/)
    await expect(openFileBlockStore(dir).append(y)).rejects.toThrow(/equivocation/)
    expect(await store.adopt(y)).toBe(false)
    expect(await store.adopt(x)).toBe(true)
  })
})

describe('file block store: the pruned base', () => {
  it('stores the base and deletes the pruned own blocks; a reopening restores the same replica from them', async () => {
    const dir = tmp()
    const rs = tc.members.map(
      (m) =>
        new Replica(tc.channel, {
          author: { index: m.index, sessionKey: m.sessionKey },
          deposits,
          leaderWaitMs: 0,
          checkpointIntervalMs: 1000,
          ignoreForcedQueue: true,
        }),
    )
    const store = openFileBlockStore(dir)
    for (let k = 0; k < 6; k++) {
      for (let i = 0; i < 20; i++)
        rs[i % 2]!.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, k * 1500)
      runToQuiet(rs, k * 1500)
    }
    for (const n of rs[0]!.order) if (n.author === 0) await store.append(encodeBlock(n.block))
    const before = (await store.load()).length
    const base = rs[0]!.prune()!
    expect(base).toBeDefined()
    const own = base.committedSeqs[0]!
    const through = own[own.length - 1]![1]
    await store.storeBase(encodeBase(base), through)
    const again = openFileBlockStore(dir)
    const left = await again.load()
    expect(left.length).toBe(before - through)
    for (const b of left) expect(decodeBlock(b).seq).toBeGreaterThan(BigInt(through))
    expect(await again.nextSeq()).toBe(BigInt(before + 1))
    const restored = restoreReplica(
      () =>
        new Replica(tc.channel, {
          author: { index: 0, sessionKey: tc.members[0]!.sessionKey },
          deposits,
          ignoreForcedQueue: true,
        }),
      await again.loadBase(),
    )
    expect(restored.restoredFrom).toBe(base.version)
    restored.replica.receiveMany([...left, ...rs[1]!.blocksInOrder()])
    expect(toHex(restored.replica.stateRoot())).toBe(toHex(rs[0]!.stateRoot()))
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('a crash between the base and the deletions ends as if they were one step; pruned seqs stay used', async () => {
    const dir = tmp()
    const rs = replicas()
    for (let i = 0; i < 5; i++) {
      rs[0]!.submit({ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }, i)
      runToQuiet(rs, i * 10)
    }
    const mine = rs[0]!.order.filter((n) => n.author === 0).map((n) => encodeBlock(n.block))
    const store = openFileBlockStore(dir)
    for (const b of mine) await store.append(b)
    // the base renamed into place (through seq 3), the process gone before deleting seqs 1–3
    const head = new Uint8Array(8)
    new DataView(head.buffer).setBigUint64(0, 3n)
    writeFileSync(join(dir, 'base.bin'), Buffer.concat([head, new Uint8Array([1, 2, 3])]))
    const again = openFileBlockStore(dir)
    expect((await again.load()).map((b) => decodeBlock(b).seq)).toEqual(
      mine.slice(3).map((b) => decodeBlock(b).seq),
    )
    expect(readdirSync(dir).filter((f) => f.endsWith('.blk'))).toHaveLength(mine.length - 3)
    expect(await again.loadBase()).toEqual(new Uint8Array([1, 2, 3]))
    const [x] = twoBlocksAtSeq1()
    await expect(again.append(x)).rejects.toThrow(/pruned/)
    expect(await again.adopt(x)).toBe(true)
    expect(await openFileBlockStore(tmp()).nextSeq()).toBe(1n)
  })
})

describe('strategies', () => {
  it('a market maker quotes both sides around the mark, and keeps quotes that are still right', () => {
    const [r] = replicas()
    const ops = nextOps({ role: 'market-maker', replica: r!, me: 0, rng: new Rng(1), startPrice: 1000n })
    expect(ops).toEqual([
      {
        tag: OpTag.Place,
        market: 0,
        side: Side.Buy,
        kind: OrderKind.Limit,
        tif: TimeInForce.GTC,
        price: 998n,
        qty: 3n,
      },
      {
        tag: OpTag.Place,
        market: 0,
        side: Side.Sell,
        kind: OrderKind.Limit,
        tif: TimeInForce.GTC,
        price: 1002n,
        qty: 3n,
      },
    ])
    for (const op of ops) r!.submit(op, 0)
    expect(nextOps({ role: 'market-maker', replica: r!, me: 0, rng: new Rng(1), startPrice: 1000n })).toEqual(
      [],
    )
    expect(markOf(r!.state, 0, 5n)).toBe(1000n)
  })

  it('a trader sends orders near the mark that its funds cover', () => {
    const [r] = replicas()
    const rng = new Rng(7)
    for (let i = 0; i < 50; i++) {
      const mark = markOf(r!.state, 0, 1000n)
      for (const op of nextOps({ role: 'trader', replica: r!, me: 0, rng, startPrice: 1000n })) {
        if (op.tag === OpTag.Place) expect(op.price >= mark - 3n && op.price <= mark + 3n).toBe(true)
        expect(r!.submit(op, 0).result).toBe(0)
      }
    }
  })
})
