import type { SessionKeyRange } from '../chain/readers/getSessionKeyRange.ts'
import { fromHex, type Hex } from '../core/bytes.ts'
import { recoverAddress } from '../core/signature.ts'

export type KeyRangeCacheParameters = {
  /** how long an open-ended range (a participant's current key) is used before it is read again (ms) */
  maxAgeMs?: number
  now?: () => number
  /** most entries of each kind kept (oldest dropped first) */
  limit?: number
}

export type KeyRangeCache = {
  /** the range of `key`, from the cache when still good, else from `read` (which is then remembered) */
  range(key: Hex, read: () => Promise<SessionKeyRange>): Promise<SessionKeyRange>
  /** the address that signed `digest` (hex) with `sig` ('' when no key recovers), recovered once per pair */
  signer(digest: Hex, sig: Uint8Array): string
}

const ZERO = /^0x0{40}$/i

/**
 * What the Settlement panel reads for every signature of the checkpoint it could propose, on every new block: the
 * signer (one secp256k1 recovery) and its key's range on chain (one `eth_call`), n of each per block per tab
 * (bench:sync, 5 contexts: 5 of the ~6 `eth_call` a tab made per block). A recovery never changes, so it is kept.
 * A range changes only when a rotation is mined: a key the contract does not know yet (a rotation on its way, the
 * one case where the panel waits) is read at every block; a replaced key's range is closed and final, so it is kept;
 * a participant's current key (open-ended) closes when that participant's next rotation is mined, so it is read
 * again after `maxAgeMs` (default 10 s). Proposing, challenging and exiting still read every range fresh
 * (`readyCheckpoint`): what the cache may delay is only the panel's text and the tower's choice of signatures.
 */
export function createKeyRangeCache(p: KeyRangeCacheParameters = {}): KeyRangeCache {
  const maxAgeMs = p.maxAgeMs ?? 10_000
  const now = p.now ?? (() => Date.now())
  const limit = p.limit ?? 256
  const ranges = new Map<string, { range: SessionKeyRange; at: number }>()
  const signers = new Map<string, string>()
  const remember = <V>(m: Map<string, V>, k: string, v: V) => {
    m.delete(k)
    m.set(k, v)
    if (m.size > limit) m.delete(m.keys().next().value as string)
  }
  return {
    async range(key, read) {
      const k = key.toLowerCase()
      const hit = ranges.get(k)
      if (hit) {
        const closed = hit.range.untilVersion !== 0n || hit.range.untilSeq !== 0n
        if (closed || now() - hit.at < maxAgeMs) return hit.range
      }
      const at = now()
      const range = await read()
      if (!ZERO.test(range.participant)) remember(ranges, k, { range, at })
      else ranges.delete(k)
      return range
    },
    signer(digest, sig) {
      const k = `${digest.toLowerCase()}:${sig.join(',')}`
      const hit = signers.get(k)
      if (hit !== undefined) return hit
      const key = recoverAddress(fromHex(digest, 32), sig)
      const address = key.startsWith('0x') ? key : ''
      remember(signers, k, address)
      return address
    },
  }
}
