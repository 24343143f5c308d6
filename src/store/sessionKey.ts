import type { Hex } from 'viem'
import { fromHex, toHex } from '../core/bytes.ts'
import { type Invite, roomOf } from '../core/invite.ts'

export function sessionKeyStorageKey(invite: Invite, me: Hex): string {
  return `chx:session-key:${roomOf(invite).room}:${me.toLowerCase()}`
}

/** The session key for (channel, wallet) from localStorage, generated on first use. */
export function loadOrCreateSessionKey(storage: Storage, invite: Invite, me: Hex): Uint8Array {
  const k = sessionKeyStorageKey(invite, me)
  const existing = storage.getItem(k)
  if (existing) return fromHex(existing, 32)
  const key = crypto.getRandomValues(new Uint8Array(32))
  storage.setItem(k, toHex(key))
  return key
}
