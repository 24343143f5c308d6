import { describe, expect, it, vi } from 'vitest'
import { createBlock, decodeBlock, encodeBlock } from './block.ts'
import { fromHex, toHex } from './bytes.ts'
import { keccak256 } from './hash.ts'
import { network, observer, root, tc, transfer } from './replica.fixture.ts'
import { ChannelState } from './state.ts'
import { makeTestChannel, runToQuiet } from './testing.ts'

describe('cost of attack blocks (attack 7)', () => {
  it('a late block below the pending tail never replays the final prefix', () => {
    const reps = network()
    for (let k = 0; k < 200; k++) {
      reps[k % 4]!.submit(transfer((k + 1) % 4, 1n), k)
      if (k % 10 === 9) runToQuiet(reps, k)
    }
    const r = reps[0]!
    const final = r.finalCount
    expect(final).toBeGreaterThan(8)
    const results = r.order.slice(0, final).map((x) => x.results.join())
    // a stale fork by author 3 at round 1 (the lowest possible round) arrives now
    const first = r.order.find((x) => x.author === 3 && x.round === 1)!
    const stale = createBlock({
      channelId: tc.channel.channelId,
      author: first.block.author,
      seq: 1n,
      round: 1n,
      time: 99n,
      prev: tc.channel.genesis,
      parents: [],
      ops: [transfer(0, 1n)],
      sessionKey: tc.members[3]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    const apply = vi.spyOn(ChannelState.prototype, 'apply')
    r.receive(stale.bytes)
    // only the pending tail (the stale block and what follows it) is folded again
    expect(apply.mock.calls.length).toBeLessThan(20)
    apply.mockRestore()
    expect(r.order.slice(0, final).map((x) => x.results.join())).toEqual(results)
  })

  it('a flood of blocks with made-up parents only displaces the flooder’s own buffered blocks', () => {
    const r = observer({ bufferPerAuthor: 8 })
    const reps = network()
    reps[0]!.submit(transfer(1, 1n))
    const blocks = runToQuiet(reps)
    // an honest block whose ancestor has not arrived yet waits in the buffer
    const honestLate = blocks[blocks.length - 1]!
    expect(r.receive(honestLate).status).toBe('buffered')
    for (let k = 0; k < 100; k++) {
      const liar = createBlock({
        channelId: tc.channel.channelId,
        author: fromHex(tc.members[3]!.address),
        seq: 2n,
        round: 2n,
        time: BigInt(k),
        prev: keccak256(new Uint8Array([k])),
        parents: [keccak256(new Uint8Array([k, 1]))],
        ops: [],
        sessionKey: tc.members[3]!.sessionKey,
        domainSeparator: tc.channel.domainSeparator,
      })
      r.receive(liar.bytes)
    }
    expect(r.bufferedCount).toBeLessThanOrEqual(8 + 1)
    r.receiveMany(blocks)
    expect(root(r)).toBe(root(reps[0]!))
    expect(r.finalCount).toBe(reps[0]!.finalCount)
  })
})

describe('ingress rejection rules (THREATS rows 2, 3, 5, 6, 8)', () => {
  const reps = network()
  reps[0]!.submit(transfer(1, 1n))
  const b1 = reps[0]!.tick(0)!

  it('accepts a valid block once and deduplicates by id', () => {
    const r = observer()
    expect(r.receive(b1).status).toBe('accepted')
    expect(r.receive(b1).status).toBe('duplicate')
    expect(r.receive(encodeBlock(decodeBlock(b1))).status).toBe('duplicate')
  })

  it('refuses garbage, truncation, oversize, forged and replayed blocks with no state change', () => {
    const r = observer()
    expect(r.receive(new Uint8Array([2, 2, 3]))).toMatchObject({ reason: 'malformed' })
    expect(r.receive(b1.slice(0, b1.length - 1))).toMatchObject({ reason: 'malformed' })
    expect(r.receive(new Uint8Array(300 * 1024))).toMatchObject({ reason: 'oversize' })
    const blk = decodeBlock(b1)
    const forged = createBlock({
      ...blk,
      sessionKey: tc.members[1]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(r.receive(forged.bytes)).toMatchObject({ reason: 'bad-signature' })
    const other = makeTestChannel({ participants: 4, label: 'replica', nonce: 9n })
    const replayed = createBlock({
      ...blk,
      channelId: other.channel.channelId,
      sessionKey: tc.members[0]!.sessionKey,
      domainSeparator: other.channel.domainSeparator,
    })
    expect(r.receive(replayed.bytes)).toMatchObject({ reason: 'wrong-channel' })
    const outsider = makeTestChannel({ participants: 5, label: 'outsider' })
    const stranger = createBlock({
      ...blk,
      author: fromHex(outsider.members[4]!.address),
      sessionKey: outsider.members[4]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(r.receive(stranger.bytes)).toMatchObject({ reason: 'not-participant' })
    expect(r.order).toHaveLength(0)
    expect(root(r)).toBe(root(observer()))
  })

  it('refuses a prev that is another author’s block or skips a seq', () => {
    const r = observer()
    r.receive(b1)
    const blk = decodeBlock(b1)
    const theirs = createBlock({
      ...blk,
      author: fromHex(tc.members[1]!.address),
      seq: 2n,
      round: 2n,
      prev: fromHex(toHex(keccak256(b1)).slice(0, 66)),
      sessionKey: tc.members[1]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(r.receive(theirs.bytes).status).toBe('buffered')
    const id1 = r.order[0]!.id
    const badPrev = createBlock({
      ...blk,
      author: fromHex(tc.members[1]!.address),
      seq: 2n,
      round: 2n,
      prev: id1,
      sessionKey: tc.members[1]!.sessionKey,
      domainSeparator: tc.channel.domainSeparator,
    })
    expect(r.receive(badPrev.bytes)).toMatchObject({ reason: 'bad-prev' })
  })
})
