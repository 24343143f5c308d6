import { encodeAbiParameters, keccak256 as viemKeccak } from 'viem'
import { describe, expect, it } from 'vitest'
import { fromHex, type Hex, toHex } from './bytes.ts'
import {
  type ChannelConfig,
  ChannelConfigError,
  computeChannelId,
  MAX_DISPUTE_WINDOW,
  MAX_FEE_BPS,
  MAX_PARTICIPANTS,
  openChannel,
  type Role,
  sessionKeyDigest,
  validateParams,
} from './channel.ts'
import { addressFromPrivateKey, signDigest } from './signature.ts'
import { keyFromLabel, makeTestChannel, type TestParticipant } from './testing.ts'

const { channel, members } = makeTestChannel({ participants: 3, label: 'channel-config' })
const base = channel.config

/** A deep copy to mutate (the config holds bigints, which structuredClone keeps). */
const copy = (c: ChannelConfig = base): ChannelConfig => structuredClone(c)

/** Re-signs every authorisation for the (possibly changed) channel id, as honest wallets would. */
function resign(c: ChannelConfig, wallets: readonly TestParticipant[] = members): ChannelConfig {
  const id = computeChannelId(c)
  const domain = { chainId: c.chainId, verifyingContract: c.verifyingContract }
  c.participants.forEach((p, i) => {
    p.authSignature = toHex(
      signDigest(sessionKeyDigest(domain, id, p.address, p.sessionKey), wallets[i]!.walletKey),
    )
  })
  return c
}

/** Participants 0..n-1 with fresh deterministic wallets and session keys. */
function membersOf(n: number, label = 'channel-n'): TestParticipant[] {
  return Array.from({ length: n }, (_, i) => {
    const walletKey = keyFromLabel(`${label}/wallet/${i}`)
    return {
      index: i,
      walletKey,
      sessionKey: keyFromLabel(`${label}/session/${i}`),
      address: addressFromPrivateKey(walletKey),
    }
  })
}
function configOf(ms: TestParticipant[], threshold: number, signed = true): ChannelConfig {
  const c = copy()
  c.threshold = threshold
  c.participants = ms.map((m) => ({
    address: m.address,
    role: 0,
    sessionKey: addressFromPrivateKey(m.sessionKey),
    authSignature: '0x',
  }))
  return signed ? resign(c, ms) : c
}

function rejects(c: ChannelConfig, field: string | RegExp): void {
  let err: unknown
  try {
    openChannel(c)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(ChannelConfigError)
  if (typeof field === 'string') expect((err as ChannelConfigError).field).toBe(field)
  else expect((err as ChannelConfigError).field).toMatch(field)
}

describe('openChannel: participants and threshold (THREATS row 11)', () => {
  it('accepts the test channel and derives id, domain and indexes', () => {
    const ch = openChannel(copy())
    expect(toHex(ch.channelId)).toBe(toHex(channel.channelId))
    expect(ch.indexOf.get(members[2]!.address.toLowerCase())).toBe(2)
    expect(ch.sessionKeys[1]).toBe(addressFromPrivateKey(members[1]!.sessionKey))
  })

  it('accepts exactly n/2 < t ≤ n', () => {
    for (let n = 2; n <= 7; n++) {
      const ms = membersOf(n)
      rejects(configOf(ms, -1, false), 'threshold')
      for (let t = 0; t <= n + 1; t++) {
        const c = configOf(ms, t)
        if (2 * t > n && t <= n) expect(openChannel(c).config.threshold).toBe(t)
        else rejects(c, 'threshold')
      }
    }
  })

  it('rejects fractional thresholds', () => {
    rejects(configOf(membersOf(2), 1.5, false), 'threshold')
    rejects(configOf(membersOf(4), 3.5, false), 'threshold')
  })

  it('rejects fewer than 2 or more than MAX_PARTICIPANTS participants', () => {
    const one = copy()
    one.participants = one.participants.slice(0, 1)
    one.threshold = 1
    rejects(one, 'participants')
    const none = copy()
    none.participants = []
    none.threshold = 0
    rejects(none, 'participants')
    const many = copy()
    many.participants = Array.from({ length: MAX_PARTICIPANTS + 1 }, (_, i) => ({
      ...base.participants[0]!,
      address: toHex(fromHex(`0x${(i + 1).toString(16).padStart(40, '0')}`)),
    }))
    many.threshold = MAX_PARTICIPANTS
    rejects(many, 'participants')
  })

  it('rejects duplicate addresses, also in another case', () => {
    const c = copy()
    c.participants[2]!.address = c.participants[0]!.address.toUpperCase().replace('0X', '0x') as Hex
    rejects(c, 'participants[2]')
  })

  it('rejects duplicate session keys', () => {
    const c = copy()
    c.participants[1]!.sessionKey = c.participants[0]!.sessionKey
    rejects(c, 'participants[1]')
  })

  it('rejects unknown roles', () => {
    for (const role of [4, -1, 1.5, 255]) {
      const c = copy()
      c.participants[1]!.role = role as Role
      rejects(c, 'participants[1].role')
    }
    for (const role of [0, 1, 2, 3] as Role[]) {
      const c = copy()
      c.participants[1]!.role = role
      expect(openChannel(resign(c)).config.participants[1]!.role).toBe(role)
    }
  })
})

describe('openChannel: tokens, markets and fees', () => {
  it('rejects duplicate tokens, also in another case', () => {
    const c = copy()
    c.tokens = [base.tokens[0]!, base.tokens[0]!.toUpperCase().replace('0X', '0x') as Hex]
    rejects(c, 'tokens')
  })

  it('rejects an empty token list', () => {
    const c = copy()
    c.tokens = []
    c.markets = []
    rejects(c, 'tokens')
  })

  it.each([
    ['unknown base', { base: 2 }],
    ['unknown quote', { quote: 7 }],
    ['base = quote', { base: 1, quote: 1 }],
    ['negative base', { base: -1 }],
    ['negative quote', { quote: -1 }],
    ['fractional base', { base: 0.5 }],
    ['zero tick', { tickSize: 0n }],
    ['negative lot', { lotSize: -1n }],
  ])('rejects a market with %s', (_, patch) => {
    const c = copy()
    c.markets = [c.markets[0]!, { ...c.markets[0]!, ...patch }]
    rejects(c, 'markets[1]')
  })

  it('rejects fees over MAX_FEE_BPS or negative, accepts the limit', () => {
    for (const key of ['makerFeeBps', 'takerFeeBps'] as const) {
      for (const bad of [MAX_FEE_BPS + 1n, -1n]) {
        const c = copy()
        c.params[key] = bad
        rejects(c, `params.${key}`)
      }
      const c = copy()
      c.params[key] = MAX_FEE_BPS
      expect(openChannel(c).config.params[key]).toBe(MAX_FEE_BPS)
    }
  })

  it('rejects a fee recipient that is not a participant index', () => {
    for (const bad of [-1, 3, 0.5]) {
      const c = copy()
      c.params.feeRecipient = bad
      rejects(c, 'params.feeRecipient')
    }
  })

  it('rejects a negative or fractional open-order limit', () => {
    for (const bad of [-1, 1.5]) {
      const c = copy()
      c.params.maxOpenOrders = bad
      rejects(c, 'params.maxOpenOrders')
    }
  })
})

describe('openChannel: session-key authorisations (THREATS rows 3, 6)', () => {
  const domain = { chainId: base.chainId, verifyingContract: base.verifyingContract }
  const p0 = base.participants[0]!
  const sign = (digest: Uint8Array, key: Uint8Array) => toHex(signDigest(digest, key))

  it('rejects a signature by the wrong wallet', () => {
    const c = copy()
    c.participants[0]!.authSignature = sign(
      sessionKeyDigest(domain, channel.channelId, p0.address, p0.sessionKey),
      members[1]!.walletKey,
    )
    rejects(c, 'participants[0].authSignature')
  })

  it('rejects authorisations swapped between participants', () => {
    const c = copy()
    c.participants[0]!.authSignature = base.participants[1]!.authSignature
    c.participants[1]!.authSignature = base.participants[0]!.authSignature
    rejects(c, /authSignature/)
  })

  it('rejects a signature for another channel, chain or contract', () => {
    const otherId = computeChannelId({ ...base, nonce: base.nonce + 1n })
    const cases: [string, Uint8Array][] = [
      ['channel', sessionKeyDigest(domain, otherId, p0.address, p0.sessionKey)],
      ['chain', sessionKeyDigest({ ...domain, chainId: 1n }, channel.channelId, p0.address, p0.sessionKey)],
      [
        'contract',
        sessionKeyDigest(
          { ...domain, verifyingContract: '0x00000000000000000000000000000000000000ff' },
          channel.channelId,
          p0.address,
          p0.sessionKey,
        ),
      ],
    ]
    for (const [, digest] of cases) {
      const c = copy()
      c.participants[0]!.authSignature = sign(digest, members[0]!.walletKey)
      rejects(c, 'participants[0].authSignature')
    }
  })

  it('rejects an authorisation of another session key', () => {
    const c = copy()
    c.participants[0]!.sessionKey = addressFromPrivateKey(keyFromLabel('someone else'))
    rejects(c, 'participants[0].authSignature')
  })

  it('rejects when the channel changes under valid-looking signatures (e.g. a changed nonce or role)', () => {
    const c = copy()
    c.nonce += 1n
    rejects(c, 'participants[0].authSignature')
    const r = copy()
    r.participants[2]!.role = 3
    rejects(r, 'participants[0].authSignature')
  })

  it('rejects malformed signatures: empty, compact, v out of range, high-s twin', () => {
    const good = fromHex(p0.authSignature)
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const twin = good.slice()
    twin.set(fromHex(`0x${(N - BigInt(toHex(good.subarray(32, 64)))).toString(16).padStart(64, '0')}`), 32)
    twin[64] = good[64] === 27 ? 28 : 27
    const badV = good.slice()
    badV[64] = good[64]! - 27
    for (const sig of [new Uint8Array(), good.subarray(0, 64), badV, twin]) {
      const c = copy()
      c.participants[0]!.authSignature = toHex(sig)
      rejects(c, 'participants[0].authSignature')
    }
  })
})

describe('computeChannelId binds every field the contract binds (THREATS row 6)', () => {
  it('equals keccak256(abi.encode(...)) as ChannelSettlement computes it', () => {
    const c = base
    const expected = viemKeccak(
      encodeAbiParameters(
        [
          { type: 'uint256' },
          { type: 'address' },
          { type: 'address[]' },
          { type: 'uint8[]' },
          { type: 'uint16' },
          { type: 'uint64' },
          { type: 'uint256' },
          { type: 'uint256' },
          { type: 'address[]' },
          { type: 'uint256' },
        ],
        [
          c.chainId,
          c.verifyingContract,
          c.participants.map((p) => p.address),
          c.participants.map((p) => p.role),
          c.threshold,
          c.params.disputeWindow,
          c.params.minStake,
          BigInt(c.params.maxLeverage),
          c.tokens,
          c.nonce,
        ],
      ),
    )
    expect(toHex(computeChannelId(c))).toBe(expected)
  })

  const mutations: [string, (c: ChannelConfig) => void][] = [
    ['chainId', (c) => (c.chainId += 1n)],
    ['verifyingContract', (c) => (c.verifyingContract = '0x00000000000000000000000000000000000000ff')],
    ['nonce', (c) => (c.nonce += 1n)],
    [
      'a participant address',
      (c) => (c.participants[1]!.address = '0x00000000000000000000000000000000000000ee'),
    ],
    ['participant order', (c) => c.participants.reverse()],
    ['a role', (c) => (c.participants[0]!.role = 1)],
    ['participant count', (c) => c.participants.pop()],
    ['threshold', (c) => (c.threshold += 1)],
    ['disputeWindow', (c) => (c.params.disputeWindow += 1n)],
    ['minStake', (c) => (c.params.minStake += 1n)],
    ['maxLeverage', (c) => (c.params.maxLeverage += 1)],
    ['a token', (c) => (c.tokens[1] = '0x00000000000000000000000000000000000000dd')],
    ['token order', (c) => c.tokens.reverse()],
    ['token count', (c) => c.tokens.push('0x00000000000000000000000000000000000000dd')],
  ]
  it.each(mutations)('changes with %s', (_, mutate) => {
    const c = copy()
    mutate(c)
    expect(toHex(computeChannelId(c))).not.toBe(toHex(computeChannelId(base)))
  })

  it('does not depend on the authorisations it is signed by', () => {
    const c = copy()
    for (const p of c.participants) p.authSignature = '0x'
    expect(toHex(computeChannelId(c))).toBe(toHex(computeChannelId(base)))
  })
})

describe('openChannel: limits shared with the contract', () => {
  it('rejects a zero participant address, a zero dispute window and more than 256 tokens', () => {
    const zero = copy()
    zero.participants[1]!.address = '0x0000000000000000000000000000000000000000'
    rejects(zero, 'participants[1]')
    const window = copy()
    window.params.disputeWindow = 0n
    rejects(window, 'params.disputeWindow')
    const many = copy()
    many.tokens = Array.from(
      { length: 257 },
      (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}` as const,
    )
    rejects(many, 'tokens')
  })

  it('rejects a dispute window longer than the contract takes (365 days) and fees above 1,000 bps', () => {
    const year = copy()
    year.params.disputeWindow = MAX_DISPUTE_WINDOW
    // a window changes the channel id the authorisations sign: the bound itself is checked on the params
    expect(() => validateParams(year)).not.toThrow()
    year.params.disputeWindow = MAX_DISPUTE_WINDOW + 1n
    rejects(year, 'params.disputeWindow')
    const fee = copy()
    fee.params.takerFeeBps = 1001n
    rejects(fee, 'params.takerFeeBps')
  })
})
