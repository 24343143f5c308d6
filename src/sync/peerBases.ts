import type * as Y from 'yjs'
import type { Channel } from '../core/channel.ts'
import type { Replica } from '../core/replica.ts'
import {
  MAX_OFFERED_BASE_BYTES,
  type OfferedBaseVerdict,
  restoreOffered,
} from '../core/snapshot/offeredBase.ts'

/** Name of the Y.Map where each participant offers its newest pruned base: participant index → encodeBase bytes. */
export const BASES_MAP = 'bases'
/** key form of the bases map: a participant index in decimal */
export const BASE_KEY = /^(0|[1-9][0-9]{0,3})$/

export type PeerBasesParameters = {
  doc: Y.Doc
  channel: Channel
  /** the local participant (its entry is written by publish() and repaired when anyone else changes it) */
  me: number
}

/** What the newest verified offer gave, or why none could be used. */
export type BestOffer =
  | (Extract<OfferedBaseVerdict, { ok: true }> & { from: number })
  | { ok: false; reason: string; refused: { from: number; reason: string }[] }

/**
 * Pruned bases offered through the shared doc (issue #8), so a participant behind everyone's pruning point, or on a
 * new device, can restart from a certified checkpoint over whichever transport it has (WebRTC or the relay: both
 * carry the doc). One entry per participant — its newest base, written once the base is durable — so the map holds
 * at most n entries of at most MAX_OFFERED_BASE_BYTES (the ingress guard refuses bigger ones and other keys).
 * Entries are untrusted: anyone can write any key, so an honest participant re-writes its own entry whenever another
 * writer changes it, and a reader verifies each entry (`restoreOffered`: q signatures, roots) only when it needs a
 * base, each distinct entry once (the verdict is kept until the entry changes).
 */
export class PeerBases {
  readonly map: Y.Map<unknown>
  private own: Uint8Array | undefined
  /** per participant: the entry last verified and its verdict (refused entries are not verified again) */
  private readonly verdicts = new Map<number, { bytes: Uint8Array; version?: bigint; reason?: string }>()
  private readonly observer = (event: Y.YMapEvent<unknown>, tx: Y.Transaction): void => {
    if (tx.origin !== this && event.keysChanged.has(String(this.p.me))) this.repair()
  }

  constructor(private readonly p: PeerBasesParameters) {
    this.map = p.doc.getMap(BASES_MAP)
    this.map.observe(this.observer)
  }

  destroy(): void {
    this.map.unobserve(this.observer)
  }

  /** Offers our newest base (call once it is durable); re-written whenever someone else changes our entry. */
  publish(bytes: Uint8Array): void {
    if (bytes.length > MAX_OFFERED_BASE_BYTES) return
    this.own = bytes
    this.repair()
  }

  private repair(): void {
    const own = this.own
    if (!own) return
    const held = this.map.get(String(this.p.me))
    if (held instanceof Uint8Array && sameBytes(held, own)) return
    this.p.doc.transact(() => this.map.set(String(this.p.me), own), this)
  }

  /** Other participants' entries that may be bases: bytes under a participant's key, not over the size bound. */
  offers(): { from: number; bytes: Uint8Array }[] {
    const out: { from: number; bytes: Uint8Array }[] = []
    const n = this.p.channel.config.participants.length
    for (const [key, v] of this.map.entries()) {
      if (!BASE_KEY.test(key)) continue
      const from = Number(key)
      if (from === this.p.me || from >= n) continue
      if (v instanceof Uint8Array && v.length <= MAX_OFFERED_BASE_BYTES) out.push({ from, bytes: v })
    }
    return out
  }

  /**
   * Refuses participant `from`'s entry from now on if it is the one verified at `version`: a replica restored from it
   * diverged (Replica.divergence: q participants signed another checkpoint digest) — it verified, but it lied where
   * nothing can check it (src/core CONTEXT.md, "What remains the peer's word"). A newer entry is verified again.
   */
  distrust(from: number, version: bigint, reason: string): void {
    const seen = this.verdicts.get(from)
    if (seen && seen.version === version && !seen.reason)
      this.verdicts.set(from, { bytes: seen.bytes, reason })
  }

  /**
   * The newest offered base that verifies and is newer than `above` (the newest checkpoint the caller computed),
   * restored into a fresh replica from `make`. Each entry is verified at most once while it is unchanged; among
   * those that verify the highest checkpoint version wins, so a peer offering an older certified base (or a forged
   * one) cannot hold the caller back while an honest peer offers a newer one.
   */
  best(make: () => Replica, above: bigint): BestOffer {
    let winner: Extract<BestOffer, { ok: true }> | undefined
    const refused: { from: number; reason: string }[] = []
    // claimed versions are unverified: verify newest first, stop at the first that holds
    const candidates = this.offers().filter((o) => {
      const seen = this.verdicts.get(o.from)
      if (!seen || seen.bytes !== o.bytes) return true
      if (seen.reason) refused.push({ from: o.from, reason: seen.reason })
      return seen.version !== undefined && seen.version > above
    })
    for (const o of candidates) {
      const v = restoreOffered(this.p.channel, make, o.bytes)
      if (!v.ok) {
        this.verdicts.set(o.from, { bytes: o.bytes, reason: v.reason })
        refused.push({ from: o.from, reason: v.reason })
        continue
      }
      this.verdicts.set(o.from, { bytes: o.bytes, version: v.base.version })
      if (v.base.version <= above) continue
      if (!winner || v.base.version > winner.base.version) winner = { ...v, from: o.from }
    }
    if (winner) return winner
    const reason =
      refused.length > 0
        ? `no peer's base verifies (${refused.map((r) => `participant ${r.from + 1}: ${r.reason}`).join('; ')})`
        : 'no peer offers a base newer than ours'
    return { ok: false, reason, refused }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
