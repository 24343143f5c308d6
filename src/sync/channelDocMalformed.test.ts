import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MAX_BLOCK_BYTES } from '../core/block.ts'
import { type Hex, toHex } from '../core/bytes.ts'
import { BLOCK_KEY } from './causalOrder.ts'
import {
  author,
  idOf,
  ids,
  ingressTotal,
  newDoc,
  peer,
  resetPeers,
  rootHex,
  setup,
  THRESHOLD,
  transfer,
} from './channelDoc.fixture.ts'
import { BLOCKS_MAP } from './channelDoc.ts'
import { DocNet } from './testing.ts'
import { applyUpdateGuarded, DEFAULT_UPDATE_LIMITS, inspectUpdate, type UpdateLimits } from './updateGuard.ts'

beforeEach(resetPeers)

describe('THREATS row 2: malformed and oversized input', () => {
  it('refuses entries of the wrong type or over MAX_BLOCK_BYTES before any decoding', () => {
    const { net, a, b, evil, em, root } = setup(11)
    const before = [a, b].map((p) => [ingressTotal(p.replica), p.cd.stats.decoded])
    evil.transact(() => {
      em.set(toHex(new Uint8Array(32).fill(1)), new Uint8Array(MAX_BLOCK_BYTES + 1))
      em.set(toHex(new Uint8Array(32).fill(2)), 12345)
      em.set(toHex(new Uint8Array(32).fill(3)), new Y.Map())
      em.set('not-a-block-id', new Uint8Array(10))
    })
    net.flush()
    const seen: Record<string, number> = {}
    ;[a, b].forEach((p, i) => {
      expect(rootHex(p)).toBe(root)
      expect([ingressTotal(p.replica), p.cd.stats.decoded]).toEqual(before[i])
      const rec = p.cd.clientRecords().find((c) => c.clientID === evil.clientID)
      for (const [k, v] of Object.entries(rec?.reasons ?? {})) seen[k] = Math.max(seen[k] ?? 0, v ?? 0)
    })
    // whoever triaged them first charged the writer, then removed them: they are gone from every doc
    expect(Object.keys(seen).sort()).toEqual(['bad-key', 'not-bytes', 'oversize'])
    for (const d of [a.doc, b.doc, evil])
      for (const k of [...[1, 2, 3].map((x): string => toHex(new Uint8Array(32).fill(x))), 'not-a-block-id'])
        expect(d.getMap('blocks').has(k)).toBe(false)
  })

  it('decodes a flagged writer’s entries only when a validated block or a peer asks for them', () => {
    // A and C build rounds 1 and 2 offline: A's round-2 block needs A's and C's round-1 blocks
    const a = peer(0)
    const c = peer(2)
    const a1 = author(a, [transfer(1, 5n)])
    const c1 = author(c, [transfer(1, 6n)])
    a.replica.receive(c1)
    const a2 = author(a, [transfer(1, 7n)])
    const [id1, idc, id2] = [a1, c1, a2].map(idOf) as [Hex, Hex, Hex]
    const net = new DocNet({ seed: 12 })
    const b = peer(1, net)
    const relay = newDoc()
    net.add(relay)
    const rm = relay.getMap(BLOCKS_MAP)
    relay.transact(() => {
      for (let i = 0; i < THRESHOLD; i++) rm.set(toHex(new Uint8Array(32).fill(i + 1)), new Uint8Array(99))
    })
    net.flush()
    expect(b.cd.isFlagged(relay.clientID)).toBe(true)
    relay.transact(() => {
      rm.set(id1, a1)
      rm.set(idc, c1)
      rm.set(id2, a2)
    })
    net.flush()
    expect(b.replica.nodes.size).toBe(0)
    expect(b.cd.stats.dropped).toBe(3)
    // a peer advertises id2 as its head: B decodes it, learns it needs id1 and idc, decodes those too
    b.cd.want([id2])
    b.cd.flush()
    expect(ids(b.replica)).toEqual([id1, idc, id2].sort())
    expect(rootHex(b)).toBe(rootHex(a))
  })

  it('rejects oversized, empty, garbage and foreign updates before they reach the doc or the replica', () => {
    const { a, root } = setup(13)
    const map = a.doc.getMap(BLOCKS_MAP)
    const size = map.size
    const before = ingressTotal(a.replica)
    const updateOf = (write: (d: Y.Doc) => void) => {
      const d = newDoc()
      write(d)
      return Y.encodeStateAsUpdate(d)
    }
    const key = toHex(new Uint8Array(32).fill(9))
    const big = updateOf((d) => d.getMap(BLOCKS_MAP).set(key, new Uint8Array(400 * 1024)))
    const limits = {
      maxUpdateBytes: 300 * 1024,
      roots: {
        ...DEFAULT_UPDATE_LIMITS.roots,
        [BLOCKS_MAP]: { content: 'binary', key: BLOCK_KEY, maxEntryBytes: 64 * 1024 },
      },
    } satisfies UpdateLimits
    const valid = updateOf((d) => d.getMap(BLOCKS_MAP).set(key, new Uint8Array(50)))
    const cases: [Uint8Array, string][] = [
      [big, 'oversize'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set(key, new Uint8Array(64 * 1024 + 1))), 'entry-oversize'],
      [new Uint8Array(), 'empty'],
      [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]), 'malformed'],
      [valid.slice(0, valid.length - 9), 'malformed'],
      [updateOf((d) => d.getText(BLOCKS_MAP).insert(0, 'x'.repeat(1000))), 'content'],
      [updateOf((d) => d.getText('notes').insert(0, 'x')), 'foreign-type'],
      [updateOf((d) => d.getMap('other').set(key, new Uint8Array(10))), 'foreign-type'],
      [
        updateOf((d) => d.getMap('lobby').set(`0x${'ab'.repeat(20)}`, { s: 'x'.repeat(5000) })),
        'entry-oversize',
      ],
      [updateOf((d) => d.getMap('lobby').set(`0x${'ab'.repeat(20)}`, new Uint8Array(10))), 'content'],
      [updateOf((d) => d.getMap('lobby').set('nobody', { a: 1 })), 'bad-key'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set(key, 'string')), 'content'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set(key, new Y.Map())), 'content'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set('x', new Uint8Array(10))), 'bad-key'],
      [updateOf((d) => d.getArray(BLOCKS_MAP).push([new Uint8Array(10)])), 'bad-key'],
      [updateOf((d) => d.getMap(BLOCKS_MAP).set(key, newDoc())), 'content'],
    ]
    for (const [u, reason] of cases) {
      const r = applyUpdateGuarded(a.doc, u, 'test', limits)
      expect(r, reason).toMatchObject({ ok: false, reason })
    }
    expect(map.size).toBe(size)
    expect(ingressTotal(a.replica)).toBe(before)
    expect(a.cd.stats.invalid).toBe(0)
    expect(rootHex(a)).toBe(root)
    // what honest peers write passes: blocks, and lobby authorisations (lobby.ts)
    const lobbyEntry = { sessionKey: `0x${'12'.repeat(20)}`, signature: `0x${'34'.repeat(65)}` }
    expect(
      inspectUpdate(updateOf((d) => d.getMap('lobby').set(`0x${'ab'.repeat(20)}`, lobbyEntry))),
    ).toBeUndefined()
    // the same entry under the limits goes through and is judged by the adapter
    expect(applyUpdateGuarded(a.doc, valid, 'test', limits)).toEqual({ ok: true })
    expect(a.cd.stats.invalid).toBe(1)
  })

  it('fuzz: mutated updates never throw and only genuine blocks reach the replica', () => {
    const src = setup(14)
    const full = Y.encodeStateAsUpdate(src.a.doc)
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(full.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(full.length),
        (edits, cut) => {
          const u = full.slice(0, Math.max(1, cut))
          for (const [i, v] of edits) if (i < u.length) u[i] = v
          const t = peer(2)
          expect(() => applyUpdateGuarded(t.doc, u, 'fuzz')).not.toThrow()
          for (const id of t.replica.nodes.keys()) expect(src.a.replica.nodes.has(id)).toBe(true)
          t.cd.destroy()
        },
      ),
      { numRuns: 300, seed: 42 },
    )
  })
})
