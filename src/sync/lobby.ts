import type * as Y from 'yjs'
import type { Hex } from '../core/bytes.ts'
import { type ChannelDraft, type SessionKeyAuth, verifyAuth } from '../core/invite.ts'

/** Name of the Y.Map where participants post their session-key authorisations before the channel opens. */
export const LOBBY_MAP = 'lobby'

/**
 * The pre-channel lobby in the channel's Y.Doc: participant address → { sessionKey, signature }. Like the block
 * map it is only a pipe: an entry counts only if it is that participant's wallet signature over this draft's
 * channel id (core/invite.verifyAuth). The local participant's own entry is re-written if someone deletes or
 * overwrites it.
 */
export class Lobby {
  readonly map: Y.Map<unknown>
  private own: SessionKeyAuth | undefined
  private readonly listeners = new Set<() => void>()
  /**
   * The last entry checked per participant (lowercase address) and whether it verified: auths() runs on every
   * lobby change and while a participant waits for the others (every 100 ms in an agent), and each check is a
   * signature recovery plus the channel id over the whole draft — O(n²) per call at n participants otherwise
   * (50 agents spent minutes of CPU here before the channel opened). One per participant, so it stays bounded.
   */
  private readonly checked = new Map<string, { sessionKey: string; signature: string; ok: boolean }>()

  constructor(
    readonly doc: Y.Doc,
    readonly draft: ChannelDraft,
  ) {
    this.map = doc.getMap(LOBBY_MAP)
    this.map.observe((e) => {
      if (this.own && e.keysChanged.has(this.own.participant.toLowerCase())) this.repair()
      for (const l of this.listeners) l()
    })
  }

  /** Posts (and from now on guards) the local participant's authorisation. Throws if it does not verify. */
  publish(auth: SessionKeyAuth): void {
    if (!verifyAuth(this.draft, auth))
      throw new Error('session-key authorisation does not verify for this channel')
    this.own = auth
    this.repair()
  }

  private repair(): void {
    const own = this.own
    if (!own) return
    const key = own.participant.toLowerCase()
    const cur = this.map.get(key) as { sessionKey?: unknown; signature?: unknown } | undefined
    if (cur && cur.sessionKey === own.sessionKey && cur.signature === own.signature) return
    this.doc.transact(() => this.map.set(key, { sessionKey: own.sessionKey, signature: own.signature }))
  }

  /** Valid authorisations, one per draft participant at most, in participant order. */
  auths(): SessionKeyAuth[] {
    const out: SessionKeyAuth[] = []
    for (const p of this.draft.participants) {
      const v = this.map.get(p.address.toLowerCase()) as
        | { sessionKey?: unknown; signature?: unknown }
        | undefined
      if (!v || typeof v.sessionKey !== 'string' || typeof v.signature !== 'string') continue
      const auth = { participant: p.address, sessionKey: v.sessionKey as Hex, signature: v.signature as Hex }
      if (
        /^0x[0-9a-fA-F]{40}$/.test(auth.sessionKey) &&
        /^0x[0-9a-fA-F]{130}$/.test(auth.signature) &&
        this.verified(auth)
      )
        out.push(auth)
    }
    return out
  }

  private verified(auth: SessionKeyAuth): boolean {
    const key = auth.participant.toLowerCase()
    const last = this.checked.get(key)
    if (last && last.sessionKey === auth.sessionKey && last.signature === auth.signature) return last.ok
    const ok = verifyAuth(this.draft, auth)
    this.checked.set(key, { sessionKey: auth.sessionKey, signature: auth.signature, ok })
    return ok
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}
