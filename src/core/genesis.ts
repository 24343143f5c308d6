import { concatBytes, toHex } from './bytes.ts'
import type { ChannelConfig } from './channel.ts'
import { keccak256 } from './hash.ts'

/**
 * The consensus protocol this code speaks: block format and validity, the DAG's round and depth rules, the commit
 * rule and the fold. Raised with any change that makes two versions order or fold the same blocks differently, so
 * that replicas of different versions refuse each other's chains instead of splitting (below).
 */
export const PROTOCOL_VERSION = 2

const enc = new TextEncoder()

/**
 * The channel's genesis: the digest of the protocol version, the channel id and every part of the configuration the
 * replicas read — markets, fees, perps, lending and AMM parameters, tokens, roles and session keys — of which the
 * channel id (the contract's formula) covers only some. Each author's first block names it as its `prev` (dag.ts
 * refuses a first block that names another), so two participants handed invites that differ anywhere the fold
 * looks (a Byzantine inviter) or running different protocol versions never build on each other's blocks: each sees
 * the other as silent, and the quorum intersection leaves at most one side able to finalize anything — instead of
 * both folding the same final order into different states for good. Wallet signatures authorizing the session keys
 * are left out (verified by openChannel; a wallet may sign the same authorization twice with different bytes).
 */
export function channelGenesis(
  config: ChannelConfig,
  channelId: Uint8Array,
  version = PROTOCOL_VERSION,
): Uint8Array {
  const body = {
    ...config,
    participants: config.participants.map((p) => ({
      address: p.address,
      role: p.role,
      sessionKey: p.sessionKey,
    })),
    markets: config.markets.map((m) => ({ ...m, kind: m.kind ?? 'spot' })),
  }
  return keccak256(
    concatBytes(
      enc.encode(`ChannelExchange genesis, protocol ${version}`),
      channelId,
      enc.encode(canonical(body)),
    ),
  )
}

/** A string in quotes, its quotes and backslashes escaped: two different strings never give the same text. */
const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`

/** A deterministic text of a configuration value: object keys sorted, absent fields left out, hex lowercased. */
export function canonical(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v)
  if (typeof v === 'string') return quote(/^0x[0-9a-fA-F]*$/.test(v) ? v.toLowerCase() : v)
  if (v instanceof Uint8Array) return quote(toHex(v))
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${quote(k)}:${canonical(o[k])}`).join(',')}}`
  }
  throw new TypeError(`no canonical form for a ${typeof v}`)
}
