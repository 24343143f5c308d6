import { beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createBlock, decodeBlock } from '../core/block.ts'
import { fromHex, toHex } from '../core/bytes.ts'
import { keccak256 } from '../core/hash.ts'
import { Replica } from '../core/replica.ts'
import { Rng } from '../core/sim/rng.ts'
import {
  author,
  deposits,
  newDoc,
  peer,
  resetPeers,
  setup,
  THRESHOLD,
  tc,
  transfer,
} from './channelDoc.fixture.ts'
import { BLOCKS_MAP, ChannelDoc } from './channelDoc.ts'

beforeEach(resetPeers)

describe('THREATS row 21: cost amplification through the doc', () => {
  it('blocks citing thousands of made-up parents do not crowd out an honest block’s missing ancestor', () => {
    const a = peer(0)
    const b = peer(1)
    // b's round-1 block, then a's round-2 block that cites it; c (no DAG yet) sees only a's block
    const b1 = author(b, [transfer(0, 1n)])
    a.replica.receive(b1)
    author(a, [transfer(2, 1n)])
    const a2 = author(a, [transfer(2, 2n)])
    const c = peer(2, undefined, newDoc(), {})
    const small = new ChannelDoc({
      doc: newDoc(),
      replica: c.replica,
      flagThreshold: THRESHOLD,
      maxWanted: 64,
    })
    // the Byzantine participant 2 floods blocks whose parents do not exist
    const rng = new Rng(3)
    const flood: Uint8Array[] = []
    for (let k = 0; k < 200; k++)
      flood.push(
        createBlock({
          channelId: tc.channel.channelId,
          author: fromHex(tc.members[2]!.address),
          seq: 1n,
          round: 1n,
          time: BigInt(k),
          prev: tc.channel.genesis,
          parents: Array.from({ length: 20 }, () => keccak256(rng.bytes(8))),
          ops: [],
          sessionKey: tc.members[2]!.sessionKey,
          domainSeparator: tc.channel.domainSeparator,
        }).bytes,
      )
    small.receiveDirect(flood)
    small.receiveDirect([a2])
    // a2 waits for a's round-1 block (and b's): those are among the first ids asked for
    const wants = small.wants(8)
    const missing = decodeBlock(a2)
    const needed = [toHex(missing.prev), ...missing.parents.map(toHex)]
    expect(wants.some((w) => needed.includes(w))).toBe(true)
  })

  it('bounds client records when every invalid write comes from a new client id, and keeps the flagged ones', () => {
    const r = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    const doc = newDoc()
    const cd = new ChannelDoc({ doc, replica: r, flagThreshold: THRESHOLD, maxClientRecords: 50 })
    // one persistent attacker gets flagged
    const evil = new Y.Doc()
    evil.clientID = 77
    for (let k = 0; k < THRESHOLD; k++) evil.getMap(BLOCKS_MAP).set(`junk-${k}`, new Uint8Array(4))
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(evil))
    expect(cd.isFlagged(evil.clientID)).toBe(true)
    // then 300 one-shot client ids, each writing one garbage entry
    for (let k = 0; k < 300; k++) {
      const one = new Y.Doc()
      one.clientID = 1_000_000 + k
      one.getMap(BLOCKS_MAP).set(`x-${k}`, 1)
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(one))
    }
    expect(cd.clientRecords().length).toBeLessThanOrEqual(50 + 1)
    expect(cd.isFlagged(evil.clientID)).toBe(true)
    // and the garbage is gone from the doc
    expect([...doc.getMap(BLOCKS_MAP).keys()]).toEqual([])
    expect(cd.stats.removed).toBe(300 + THRESHOLD)
  })

  it('removes a validly encoded block that every honest replica refuses (forged signature) from the doc', () => {
    const { net, a, b, evil, em } = setup(22)
    const forged = createBlock({
      channelId: tc.channel.channelId,
      author: fromHex(tc.members[0]!.address),
      seq: 9n,
      round: 9n,
      time: 0n,
      prev: new Uint8Array(32).fill(1),
      parents: [],
      ops: [transfer(1, 1n)],
      sessionKey: tc.members[2]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    evil.transact(() => em.set(toHex(forged.id), forged.bytes))
    net.flush()
    for (const d of [a.doc, b.doc, evil]) expect(d.getMap(BLOCKS_MAP).has(toHex(forged.id))).toBe(false)
    expect(a.cd.stats.removed + b.cd.stats.removed).toBeGreaterThanOrEqual(1)
  })

  it('keeps a participant’s first block on other terms (another genesis) in the doc, uncharged; a forged one goes', () => {
    const { net, a, b, evil, em } = setup(23)
    const other = keccak256(new TextEncoder().encode('another config'))
    const first = (sessionKey: Uint8Array) =>
      createBlock({
        channelId: tc.channel.channelId,
        author: fromHex(tc.members[2]!.address),
        seq: 1n,
        round: 1n,
        time: 0n,
        prev: other,
        parents: [],
        ops: [transfer(1, 1n)],
        sessionKey,
        domainSeparator: tc.channel.domainSeparator,
      })
    // participant 2's own block, written on another invite's terms: replicas on those terms take it
    const theirs = first(tc.members[2]!.sessionKey)
    const invalid = a.cd.stats.invalid + b.cd.stats.invalid
    evil.transact(() => em.set(toHex(theirs.id), theirs.bytes))
    net.flush()
    for (const d of [a.doc, b.doc, evil]) expect(d.getMap(BLOCKS_MAP).has(toHex(theirs.id))).toBe(true)
    expect(a.replica.ingress.rejected.get('wrong-genesis')).toBe(1)
    expect(a.cd.stats.invalid + b.cd.stats.invalid).toBe(invalid)
    // the same claim signed by someone else proves nothing about participant 2: a bad signature, removed
    const forged = first(tc.members[0]!.sessionKey)
    evil.transact(() => em.set(toHex(forged.id), forged.bytes))
    net.flush()
    for (const d of [a.doc, b.doc, evil]) expect(d.getMap(BLOCKS_MAP).has(toHex(forged.id))).toBe(false)
    expect(a.replica.ingress.rejected.get('wrong-genesis')).toBe(1)
    expect(a.replica.ingress.rejected.get('bad-signature')).toBeGreaterThanOrEqual(1)
  })
})
