import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.ts'
import { openChannel } from '../channel.ts'
import { type ChannelDraft, completeDraft, decodeInvite, encodeInvite } from '../invite.ts'
import { lendingChannel } from './harness.ts'

describe('invites of channels with a lending pool', () => {
  const tc = lendingChannel()
  const { participants, ...rest } = tc.channel.config
  const draft: ChannelDraft = {
    ...rest,
    participants: participants.map((p) => ({ address: p.address, role: p.role })),
  }
  const secret = new Uint8Array(32).fill(7)

  it('keeps params.lending through the link, and the channel id', () => {
    const back = decodeInvite(encodeInvite({ draft, secret }))
    expect(back.draft).toEqual(draft)
    expect(back.draft.params.lending).toEqual(tc.channel.config.params.lending)
    const config = completeDraft(
      back.draft,
      participants.map((p) => ({
        participant: p.address,
        sessionKey: p.sessionKey,
        signature: p.authSignature,
      })),
    )
    const opened = openChannel(config)
    expect(toHex(opened.channelId)).toBe(toHex(tc.channel.channelId))
    expect(opened.config.params.lending).toEqual(tc.channel.config.params.lending)
  })

  it('refuses a link whose lending params the channel would refuse, naming the field', () => {
    const lending = draft.params.lending!
    const bad: ChannelDraft = {
      ...draft,
      params: { ...draft.params, lending: { ...lending, tokens: [{ ...lending.tokens[1]!, kinkBps: 0n }] } },
    }
    expect(() => decodeInvite(encodeInvite({ draft: bad, secret }))).toThrow(
      /params\.lending\.tokens\[0\]\.kinkBps/,
    )
  })
})
