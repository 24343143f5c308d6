import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { ChannelDraft } from '../core/invite.ts'
import { makeTestChannel } from '../core/testing.ts'
import { Lobby } from './lobby.ts'

const tc = makeTestChannel({ participants: 3, label: 'lobby' })
const { participants, ...rest } = tc.channel.config
const draft: ChannelDraft = {
  ...rest,
  participants: participants.map((p) => ({ address: p.address, role: p.role })),
}
const auth = (i: number) => ({
  participant: participants[i]!.address,
  sessionKey: participants[i]!.sessionKey,
  signature: participants[i]!.authSignature,
})

function linked(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'net' && Y.applyUpdate(b, u, 'net'))
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'net' && Y.applyUpdate(a, u, 'net'))
  return [a, b]
}

describe('lobby (THREATS row 1 before the channel opens)', () => {
  it('shares valid authorisations and ignores forged or malformed ones', () => {
    const [da, db] = linked()
    const a = new Lobby(da, draft)
    const b = new Lobby(db, draft)
    a.publish(auth(0))
    b.publish(auth(1))
    // a forged entry for participant 2: participant 1's signature
    db.getMap('lobby').set(participants[2]!.address.toLowerCase(), {
      sessionKey: auth(2).sessionKey,
      signature: auth(1).signature,
    })
    db.getMap('lobby').set('garbage', 42)
    for (const l of [a, b])
      expect(l.auths().map((x) => x.participant)).toEqual([
        participants[0]!.address,
        participants[1]!.address,
      ])
    expect(() => a.publish({ ...auth(2), signature: auth(1).signature })).toThrow()
    // each participant's verdict is remembered for its entry only: a new entry is checked again, both ways
    const lobby = db.getMap('lobby')
    const key2 = participants[2]!.address.toLowerCase()
    lobby.set(key2, { sessionKey: auth(2).sessionKey, signature: auth(2).signature })
    expect(b.auths().length).toBe(3)
    lobby.set(key2, { sessionKey: auth(1).sessionKey, signature: auth(2).signature })
    expect(b.auths().length).toBe(2)
    lobby.set(key2, { sessionKey: auth(2).sessionKey, signature: auth(2).signature })
    expect(b.auths().length).toBe(3)
  })

  it('re-writes its own entry when another peer deletes or overwrites it', () => {
    const [da, db] = linked()
    const a = new Lobby(da, draft)
    const b = new Lobby(db, draft)
    a.publish(auth(0))
    const key = participants[0]!.address.toLowerCase()
    db.getMap('lobby').delete(key)
    expect(b.auths().length).toBe(1)
    db.getMap('lobby').set(key, { sessionKey: auth(1).sessionKey, signature: auth(0).signature })
    expect(b.auths().map((x) => x.sessionKey)).toEqual([auth(0).sessionKey])
  })
})
