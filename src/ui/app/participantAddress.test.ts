import { describe, expect, it } from 'vitest'
import { participantAddress } from './participantAddress.ts'

describe('participantAddress (the create form’s participant rows)', () => {
  const good = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
  it('takes a checksummed, an all-lowercase or an all-uppercase address, and stores it checksummed', () => {
    for (const s of [good, good.toLowerCase(), `0x${good.slice(2).toUpperCase()}`, `  ${good}  `])
      expect(participantAddress(s)).toEqual({ ok: true, address: good })
  })
  it('refuses a mixed-case address whose checksum does not hold (one letter’s case changed)', () => {
    const typo = `${good.slice(0, -1)}c`
    expect(participantAddress(typo)).toEqual({
      ok: false,
      reason: 'the checksum of this mixed-case address does not match (a typo?)',
    })
  })
  it('refuses the zero address and what is not an address', () => {
    expect(participantAddress(`0x${'0'.repeat(40)}`)).toMatchObject({ ok: false, reason: /zero address/ })
    for (const s of ['', 'hello', '0x1234', `0x${'g'.repeat(40)}`, `${good}00`])
      expect(participantAddress(s)).toMatchObject({ ok: false, reason: /not an address/ })
  })
})
