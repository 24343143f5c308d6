import { encodeAbiParameters, keccak256, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { openChannel } from '../../core/channel.ts'
import { OpTag } from '../../core/ops.ts'
import { perpsChannel } from '../../core/perps/harness.ts'
import { Replica } from '../../core/replica.ts'
import { DagBuilder, makeTestChannel, testDeposits } from '../../core/testing.ts'
import { channelConfigFromOpenParams } from './channelConfigFromOpenParams.ts'
import { toBlockHeader } from './toBlockHeader.ts'
import { checkpointSignatures, toContractCheckpoint } from './toContractCheckpoint.ts'
import { OpenParamsRangeError, toOpenParams } from './toOpenParams.ts'

const tc = makeTestChannel({ participants: 3, label: 'chain-convert', roles: [0, 1, 3] })
const { config } = tc.channel

describe('config ↔ OpenParams', () => {
  it('maps participants, keys, roles and authorisations in participant order', () => {
    const { params, keyAuthSigs } = toOpenParams(config)
    expect(params.participants).toEqual(config.participants.map((p) => p.address))
    expect(params.sessionKeys).toEqual(config.participants.map((p) => p.sessionKey))
    expect(params.roles).toEqual([0, 1, 3])
    expect(keyAuthSigs).toEqual(config.participants.map((p) => p.authSignature))
  })

  it('encodes to the channel id the contract computes (abi.encode of the OpenParams fields)', () => {
    const { params } = toOpenParams(config)
    // the same formula as ChannelSettlement._computeChannelId, through viem's encoder and the generated types
    const encoded = encodeAbiParameters(
      [
        { type: 'uint256' },
        { type: 'address' },
        { type: 'address[]' },
        { type: 'uint8[]' },
        { type: 'uint16' },
        { type: 'uint64' },
        { type: 'uint256' },
        { type: 'uint32' },
        { type: 'address[]' },
        { type: 'uint256' },
      ],
      [
        config.chainId,
        config.verifyingContract,
        params.participants,
        params.roles,
        params.threshold,
        params.disputeWindow,
        params.minStake,
        params.maxLeverage,
        params.tokens,
        params.nonce,
      ],
    )
    expect(keccak256(encoded)).toBe(toHex(tc.channel.channelId))
  })

  it('round-trips through channelConfigFromOpenParams to a config the core accepts', () => {
    const { params, keyAuthSigs } = toOpenParams(config)
    const back = channelConfigFromOpenParams({
      chainId: config.chainId,
      verifyingContract: config.verifyingContract,
      params,
      keyAuthSigs,
      markets: config.markets,
      offChain: {
        makerFeeBps: config.params.makerFeeBps,
        takerFeeBps: config.params.takerFeeBps,
        feeRecipient: config.params.feeRecipient,
        maxOpenOrders: config.params.maxOpenOrders,
      },
    })
    expect(back).toEqual(config)
    expect(openChannel(back).channelId).toEqual(tc.channel.channelId)
  })

  it('round-trips a channel with perp markets: kind and params.perps stay off chain, maxLeverage on chain', () => {
    const perp = perpsChannel({ participants: 4, maxLeverage: 15 })
    const c = perp.channel.config
    const { params, keyAuthSigs } = toOpenParams(c)
    expect(params.maxLeverage).toBe(15)
    const { minStake: _m, disputeWindow: _d, maxLeverage: _l, ...offChain } = c.params
    const back = channelConfigFromOpenParams({
      chainId: c.chainId,
      verifyingContract: c.verifyingContract,
      params,
      keyAuthSigs,
      markets: c.markets,
      offChain,
    })
    expect(back).toEqual(c)
    expect(back.markets[1]!.kind).toBe('perp')
    expect(openChannel(back).config.params.perps).toEqual(c.params.perps)
    expect(openChannel(back).channelId).toEqual(perp.channel.channelId)
  })

  it('names the field that does not fit the contract’s integer widths', () => {
    expect(() => toOpenParams({ ...config, threshold: 70_000 })).toThrow(OpenParamsRangeError)
    expect(() => toOpenParams({ ...config, params: { ...config.params, maxLeverage: 2 ** 32 } })).toThrow(
      /params\.maxLeverage/,
    )
    expect(() => toOpenParams({ ...config, params: { ...config.params, disputeWindow: 1n << 64n } })).toThrow(
      /params\.disputeWindow/,
    )
  })
})

describe('checkpoints and equivocation evidence', () => {
  it('maps every checkpoint field and orders signatures by participant', () => {
    const cp = {
      version: 3n,
      leader: new Uint8Array(32).fill(1),
      time: 1_764_000_000_000n,
      depositCount: 4n,
      forcedCount: 0n,
      stateRoot: new Uint8Array(32).fill(2),
      balancesRoot: new Uint8Array(32).fill(3),
    }
    expect(toContractCheckpoint(cp)).toEqual({
      version: 3n,
      leader: toHex(cp.leader),
      time: cp.time,
      depositCount: 4n,
      forcedCount: 0n,
      stateRoot: toHex(cp.stateRoot),
      balancesRoot: toHex(cp.balancesRoot),
    })
    const sig = (b: number) => new Uint8Array(65).fill(b)
    expect(
      checkpointSignatures({
        signatures: new Map([
          [2, sig(2)],
          [0, sig(0)],
          [1, sig(1)],
        ]),
      }),
    ).toEqual([toHex(sig(0)), toHex(sig(1)), toHex(sig(2))])
  })

  it('turns a replica’s equivocation into two contract block headers', () => {
    const deposits = testDeposits(3, 2, 1000n)
    const dag = new DagBuilder(tc)
    const first = dag.block(1, 1, [], [{ tag: OpTag.Transfer, to: 0, token: 0, amount: 1n }])
    dag.rewind(1, undefined)
    const twin = dag.block(1, 1, [], [{ tag: OpTag.Transfer, to: 2, token: 0, amount: 1n }], [], 5n)
    const honest = new Replica(tc.channel, { ignoreForcedQueue: true, deposits })
    honest.receive(first.bytes)
    honest.receive(twin.bytes)
    const ev = honest.equivocations[0]!
    const a = toBlockHeader(ev.a)
    const b = toBlockHeader(ev.b)
    expect(a.author).toBe(tc.members[1]!.address.toLowerCase())
    expect([a.seq, a.round, b.seq, b.round]).toEqual([1n, 1n, 1n, 1n])
    expect(b.time - a.time).toBe(ev.b.header.time - ev.a.header.time)
    expect(a.opsHash).not.toBe(b.opsHash)
    expect(a.signature).toMatch(/^0x[0-9a-f]{130}$/)
  })
})
