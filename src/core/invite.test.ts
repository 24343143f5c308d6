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
