import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from './bytes.ts'
import { ChannelConfigError, openChannel, sessionKeyDigest } from './channel.ts'
import {
  type ChannelDraft,
  completeDraft,
  decodeInvite,
  draftChannelId,
  encodeInvite,
  InviteError,
  roomOf,
  verifyAuth,
} from './invite.ts'
import { perpsChannel } from './perps/harness.ts'
import { signDigest } from './signature.ts'
import { makeTestChannel } from './testing.ts'

const tc = makeTestChannel({ participants: 3, label: 'invite' })
const { participants, ...rest } = tc.channel.config
const draft: ChannelDraft = {
  ...rest,
  participants: participants.map((p) => ({ address: p.address, role: p.role })),
}
const secret = fromHex(`0x${'ab'.repeat(32)}`)
const auths = participants.map((p) => ({
  participant: p.address,
  sessionKey: p.sessionKey,
  signature: p.authSignature,
}))

describe('invites and the session-key lobby', () => {
  it('round-trips a draft through the link text', () => {
    const back = decodeInvite(encodeInvite({ draft, secret }))
    expect(back.draft).toEqual(draft)
    expect(toHex(back.secret)).toBe(toHex(secret))
    expect(toHex(draftChannelId(back.draft))).toBe(toHex(tc.channel.channelId))
  })
  it('rejects damaged links with a named field', () => {
    expect(() => decodeInvite('not-a-link!')).toThrow(InviteError)
    const json = JSON.parse(atob(encodeInvite({ draft, secret }).replace(/-/g, '+').replace(/_/g, '/')))
    json.threshold = 'two'
    const bad = btoa(JSON.stringify(json)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    expect(() => decodeInvite(bad)).toThrow(/threshold/)
    // a whole link in another invite format says so, not that it is damaged
    json.threshold = 2
    json.v = 99
    const future = btoa(JSON.stringify(json)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    expect(() => decodeInvite(future)).toThrow(
      'invite: made by another version of the app (invite format 99, this app reads 1)',
    )
  })
  it('derives a room and password that differ per secret', () => {
    const a = roomOf({ draft, secret })
    const b = roomOf({ draft, secret: fromHex(`0x${'cd'.repeat(32)}`) })
    expect(a.room).not.toBe(b.room)
    expect(a.password).not.toBe(b.password)
  })
  it('accepts only authorisations signed by the participant’s own wallet for this channel', () => {
    expect(auths.every((a) => verifyAuth(draft, a))).toBe(true)
    // participant 1's wallet signing for participant 0
    const digest = sessionKeyDigest(
      { chainId: draft.chainId, verifyingContract: draft.verifyingContract },
      draftChannelId(draft),
      participants[0]!.address,
      participants[0]!.sessionKey,
    )
    const forged = { ...auths[0]!, signature: toHex(signDigest(digest, tc.members[1]!.walletKey)) }
    expect(verifyAuth(draft, forged)).toBe(false)
    // another chain
    expect(verifyAuth({ ...draft, chainId: 1n }, auths[0]!)).toBe(false)
  })
  it('completes the config once everyone authorised, and not before', () => {
    expect(() => completeDraft(draft, auths.slice(0, 2))).toThrow(ChannelConfigError)
    const config = completeDraft(draft, [...auths].reverse())
    expect(toHex(openChannel(config).channelId)).toBe(toHex(tc.channel.channelId))
  })
})

describe('invites of channels with perp markets', () => {
  const ptc = perpsChannel({ participants: 4 })
  const { participants: pps, ...prest } = ptc.channel.config
  const perpDraft: ChannelDraft = {
    ...prest,
    participants: pps.map((p) => ({ address: p.address, role: p.role })),
  }
  const encode = (json: unknown) =>
    btoa(JSON.stringify(json)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  const jsonOf = (d: ChannelDraft) =>
    JSON.parse(atob(encodeInvite({ draft: d, secret }).replace(/-/g, '+').replace(/_/g, '/')))

  it('keeps Market.kind and params.perps through the link, and the channel id', () => {
    const back = decodeInvite(encodeInvite({ draft: perpDraft, secret }))
    expect(back.draft).toEqual(perpDraft)
    expect(back.draft.markets[1]!.kind).toBe('perp')
    expect(back.draft.markets[0]!.kind).toBeUndefined()
    expect(back.draft.params.perps).toEqual(perpDraft.params.perps)
    // the completed config opens the same channel, perps included
    const config = completeDraft(
      back.draft,
      pps.map((p) => ({ participant: p.address, sessionKey: p.sessionKey, signature: p.authSignature })),
    )
    const opened = openChannel(config)
    expect(toHex(opened.channelId)).toBe(toHex(ptc.channel.channelId))
    expect(opened.config.params.perps).toEqual(ptc.channel.config.params.perps)
  })
  it('leaves a spot-only link as it was (no kind, no perps)', () => {
    const json = jsonOf(draft)
    expect(json.markets[0]).toHaveLength(4)
    expect(json.params.perps).toBeUndefined()
  })
  it('refuses a perp market without perp params', () => {
    const json = jsonOf(perpDraft)
    delete json.params.perps
    expect(() => decodeInvite(encode(json))).toThrow(/params\.perps: required by perp markets/)
  })
  it('refuses an unknown market kind and malformed perp params, naming the field', () => {
    const kind = jsonOf(perpDraft)
    kind.markets[1][4] = 'option'
    expect(() => decodeInvite(encode(kind))).toThrow(/markets\[1\]\.kind/)
    const big = jsonOf(perpDraft)
    big.params.perps.fundingIntervalMs = '-5'
    expect(() => decodeInvite(encode(big))).toThrow(/perps\.fundingIntervalMs/)
    const bool = jsonOf(perpDraft)
    bool.params.perps.openLiquidation = 'yes'
    expect(() => decodeInvite(encode(bool))).toThrow(/perps\.openLiquidation/)
    const obj = jsonOf(perpDraft)
    obj.params.perps = [1, 2]
    expect(() => decodeInvite(encode(obj))).toThrow(/bad perps/)
  })
  it('refuses perp params the channel would refuse, with the channel’s reason', () => {
    const oracle = jsonOf(perpDraft)
    oracle.params.perps.oracle = 9
    expect(() => decodeInvite(encode(oracle))).toThrow(/params\.perps\.oracle: not a participant index/)
    const mm = jsonOf(perpDraft)
    mm.params.perps.maintenanceMarginBps = '1000' // × maxLeverage 10 = 10,000: not below the initial margin
    expect(() => decodeInvite(encode(mm))).toThrow(/maintenanceMarginBps/)
    const quote = jsonOf(perpDraft)
    quote.params.perps.collateralToken = 0
    quote.markets[1][1] = 1
    quote.markets[1][0] = 0
    expect(() => decodeInvite(encode(quote))).toThrow(/quoted in the collateral token/)
    const lev = jsonOf(perpDraft)
    lev.params.maxLeverage = 0
    expect(() => decodeInvite(encode(lev))).toThrow(/maxLeverage/)
  })
  it('refuses a link whose dispute window or fees the contract would refuse at open, after everyone signed', () => {
    const window = jsonOf(draft)
    window.params.disputeWindow = '99999999999999999999999'
    expect(() => decodeInvite(encode(window))).toThrow(/params\.disputeWindow: .*365 days/)
    const fee = jsonOf(draft)
    fee.params.makerFeeBps = '20000'
    expect(() => decodeInvite(encode(fee))).toThrow(/params\.makerFeeBps/)
  })
})
