import { describe, expect, it } from 'vitest'
import { KNOWN_CHANNELS_KEY, KNOWN_CHANNELS_MAX, knownChannels, rememberChannel } from './knownChannels.ts'

/** Storage over a Map, as the browser's localStorage behaves for these calls. */
function memoryStorage(): Storage {
  const m = new Map<string, string>()
  return {
    get length() {
      return m.size
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  }
}

const entry = (n: number, me = '0xAbC', at = n) => ({
  invite: `invite-${n}`,
  channelId: `0x${n}`,
  me,
  label: `WETH/USDC #${n}`,
  at,
})

describe('the channels this browser opened (the start page’s list)', () => {
  it('lists a wallet’s channels newest first, one entry per channel, case of the address ignored', () => {
    const s = memoryStorage()
    rememberChannel(s, entry(1))
    rememberChannel(s, entry(2))
    rememberChannel(s, entry(3, '0xdef'))
    rememberChannel(s, entry(1, '0xABC', 10))
    expect(knownChannels(s, '0xabc').map((x) => x.invite)).toEqual(['invite-1', 'invite-2'])
    expect(knownChannels(s, '0xDEF').map((x) => x.invite)).toEqual(['invite-3'])
  })
  it(`keeps the newest ${KNOWN_CHANNELS_MAX}`, () => {
    const s = memoryStorage()
    for (let i = 0; i < KNOWN_CHANNELS_MAX + 5; i++) rememberChannel(s, entry(i))
    const list = knownChannels(s, '0xabc')
    expect(list).toHaveLength(KNOWN_CHANNELS_MAX)
    expect(list[0]!.invite).toBe(`invite-${KNOWN_CHANNELS_MAX + 4}`)
  })
  it('a damaged or foreign value reads as no channels, and is replaced on the next visit', () => {
    const s = memoryStorage()
    for (const bad of ['not json', '{"a":1}', '[1,{"invite":2}]']) {
      s.setItem(KNOWN_CHANNELS_KEY, bad)
      expect(knownChannels(s, '0xabc')).toEqual([])
    }
    rememberChannel(s, entry(7))
    expect(knownChannels(s, '0xabc').map((x) => x.invite)).toEqual(['invite-7'])
  })
})
