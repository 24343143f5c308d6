import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { channelGenesis, PROTOCOL_VERSION } from './genesis.ts'
import { type Op, OpTag } from './ops.ts'
import { Replica } from './replica.ts'
import { makeTestChannel, runToQuiet, testDeposits } from './testing.ts'

/**
 * A Byzantine inviter hands two halves of the participants invites that differ only where the channel id does not
 * look (here the maker fee): same channel id, same session keys, so every block validates at every replica. Before
 * the genesis, both halves then committed the same final order and folded it into different states for good.
 */
const P = 4
const label = 'genesis'
const cheap = makeTestChannel({ participants: P, label, makerFeeBps: 2n })
const dear = makeTestChannel({ participants: P, label, makerFeeBps: 30n })
const deposits = testDeposits(P, 2, 10n ** 12n)
const replica = (channel: typeof cheap.channel, i: number) =>
  new Replica(channel, {
    ignoreForcedQueue: true,
    author: { index: i, sessionKey: cheap.members[i]!.sessionKey },
    deposits,
    leaderWaitMs: 0,
  })
const bid: Op = { tag: OpTag.Place, market: 0, side: 0, kind: 0, tif: 0, price: 10_000n, qty: 1_000n }
const ask: Op = { ...bid, side: 1 }

describe('the genesis: the protocol version and the whole configuration, named by every first block', () => {
  it('depends on every part the fold reads and on the protocol version, not on encoding accidents', () => {
    expect(toHex(cheap.channel.channelId)).toBe(toHex(dear.channel.channelId))
    expect(toHex(cheap.channel.genesis)).not.toBe(toHex(dear.channel.genesis))
    const config = cheap.channel.config
    const id = cheap.channel.channelId
    const g = toHex(channelGenesis(config, id))
    expect(toHex(channelGenesis(config, id, PROTOCOL_VERSION + 1))).not.toBe(g)
    const tick = {
      ...config,
      markets: [{ ...config.markets[0]!, tickSize: config.markets[0]!.tickSize + 1n }],
    }
    expect(toHex(channelGenesis(tick, id))).not.toBe(g)
    const role = {
      ...config,
      participants: config.participants.map((p, i) => ({ ...p, role: i === 1 ? 1 : p.role })),
    }
    expect(toHex(channelGenesis(role as typeof config, id))).not.toBe(g)
    // the same configuration written differently: checksummed addresses, keys in another order, another wallet
    // signature of the same authorization, an explicit default market kind
    const same = {
      params: config.params,
      markets: config.markets.map((m) => ({ kind: 'spot' as const, ...m })),
      participants: config.participants.map((p) => ({
        authSignature: `0x${'11'.repeat(65)}` as const,
        sessionKey: p.sessionKey.toUpperCase().replace('0X', '0x') as typeof p.sessionKey,
        role: p.role,
        address: p.address,
      })),
      tokens: config.tokens,
      threshold: config.threshold,
      nonce: config.nonce,
      verifyingContract: config.verifyingContract,
      chainId: config.chainId,
    }
    expect(toHex(channelGenesis(same, id))).toBe(g)
  })

  it('invites that differ only in a fee never share a chain: each half refuses the other’s first blocks and nothing is folded two ways', () => {
    const reps = [0, 1, 2, 3].map((i) => replica(i < 2 ? cheap.channel : dear.channel, i))
    reps[0]!.submit(bid, 0)
    reps[2]!.submit(ask, 0)
    reps[1]!.submit(ask, 0)
    reps[3]!.submit(bid, 0)
    runToQuiet(reps, 1)
    for (let k = 0; k < 5; k++) {
      reps[k % P]!.submit({ tag: OpTag.Transfer, to: (k + 1) % P, token: 0, amount: 1n }, 10 * k)
      runToQuiet(reps, 10 * k + 5)
    }
    // no two replicas fold the same final blocks into different states
    for (const x of reps)
      for (const y of reps)
        if (x.finalCount > 0 && x.finalIds().join() === y.finalIds().join())
          expect(toHex(x.stateRoot())).toBe(toHex(y.stateRoot()))
    // each half holds only its own half's blocks: 2 of 4 is no quorum (3), so nothing is final anywhere
    for (const [i, r] of reps.entries()) {
      const mine = i < 2 ? [0, 1] : [2, 3]
      expect([...r.nodes.values()].every((x) => mine.includes(x.author))).toBe(true)
      expect(r.ingress.rejected.get('wrong-genesis')).toBeGreaterThan(0)
      expect(r.finalCount).toBe(0)
    }
  })

  it('participants on the same invite build on each other as before', () => {
    const reps = [0, 1, 2, 3].map((i) => replica(cheap.channel, i))
    reps[0]!.submit(bid, 0)
    reps[1]!.submit(ask, 0)
    for (let k = 0; k < 5; k++) {
      reps[k % P]!.submit({ tag: OpTag.Transfer, to: (k + 1) % P, token: 0, amount: 1n }, 10 * k)
      runToQuiet(reps, 10 * k + 5)
    }
    expect(reps[0]!.finalCount).toBeGreaterThan(0)
    for (const r of reps) expect(toHex(r.stateRoot())).toBe(toHex(reps[0]!.stateRoot()))
  })
})
