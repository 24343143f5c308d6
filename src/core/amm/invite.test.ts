import { describe, expect, it } from 'vitest'
import { fromHex } from '../bytes.ts'
import { openChannel } from '../channel.ts'
import { type ChannelDraft, completeDraft, decodeInvite, encodeInvite, InviteError } from '../invite.ts'
import { ammChannel } from './harness.ts'

const tc = ammChannel()
const { participants, ...rest } = tc.channel.config
const draft: ChannelDraft = {
  ...rest,
  participants: participants.map((p) => ({ address: p.address, role: p.role })),
}
const secret = fromHex(`0x${'cd'.repeat(32)}`)
const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const json = () => JSON.parse(atob(encodeInvite({ draft, secret }).replace(/-/g, '+').replace(/_/g, '/')))

describe('invites carry params.amm', () => {
  it('round-trips the AMM params; the completed channel opens with pools', () => {
    const back = decodeInvite(encodeInvite({ draft, secret }))
    expect(back.draft.params.amm).toEqual({ defaultFeeBps: 30n })
    const auths = participants.map((p) => ({
      participant: p.address,
      sessionKey: p.sessionKey,
      signature: p.authSignature,
    }))
    const channel = openChannel(completeDraft(back.draft, auths))
    expect(channel.config.params.amm).toEqual({ defaultFeeBps: 30n })
    const { amm: _, ...noAmm } = draft.params
    expect(decodeInvite(encodeInvite({ draft: { ...draft, params: noAmm }, secret })).draft.params.amm).toBe(
      undefined,
    )
  })
  it('refuses a default fee that is no tier, or a malformed amm entry', () => {
    const j = json()
    j.params.amm.defaultFeeBps = '7'
    expect(() => decodeInvite(b64(j))).toThrow(/amm\.defaultFeeBps/)
    j.params.amm = 'x'
    expect(() => decodeInvite(b64(j))).toThrow(InviteError)
  })
})
