import { describe, expect, it } from 'vitest'
import { createBlock } from '../core/block.ts'
import { fromHex } from '../core/bytes.ts'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { makeTestChannel } from '../core/testing.ts'
import { refusedOwnBlocksError } from './refusedOwnBlocks.ts'

const tc = makeTestChannel({ participants: 3, label: 'refused-own' })
const other = makeTestChannel({ participants: 3, label: 'refused-own', makerFeeBps: 40n })
const first = (genesis: Uint8Array) => {
  const bytes = createBlock({
    channelId: tc.channel.channelId,
    author: fromHex(tc.members[0]!.address),
    seq: 1n,
    round: 1n,
    time: 0n,
    prev: genesis,
    parents: [],
    ops: [{ tag: OpTag.Transfer, to: 1, token: 0, amount: 1n }],
    sessionKey: tc.members[0]!.sessionKey,
    domainSeparator: tc.channel.domainSeparator,
  }).bytes
  return bytes
}
const replica = () => new Replica(tc.channel, { author: { index: 0, sessionKey: tc.members[0]!.sessionKey } })

describe('own stored blocks this app refuses (another protocol version or other terms)', () => {
  it('are reported with the reason; own blocks of this genesis are not', () => {
    expect(refusedOwnBlocksError(replica().receiveMany([first(tc.channel.genesis)]))).toBeUndefined()
    const onOtherTerms = refusedOwnBlocksError(replica().receiveMany([first(other.channel.genesis)]))
    expect(onOtherTerms).toMatch(/^1 of the blocks you signed .* refused by this app \(wrong-genesis\)/)
    // a block of the version before the genesis (prev = 0): malformed here
    const old = first(tc.channel.genesis)
    old.fill(0, 1 + 32 + 20 + 24, 1 + 32 + 20 + 24 + 32)
    expect(refusedOwnBlocksError(replica().receiveMany([old]))).toMatch(/prev must not be zero/)
  })
})
