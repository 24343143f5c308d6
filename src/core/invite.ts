import { fromHex, type Hex, toHex } from './bytes.ts'
import {
  type ChannelConfig,
  ChannelConfigError,
  computeChannelId,
  type Market,
  type Participant,
  type Role,
  sessionKeyDigest,
} from './channel.ts'
import { keccak256 } from './hash.ts'
import { recoverAddress } from './signature.ts'

/**
 * A channel before it is opened: everything but the session keys. Participants join through an invite link,
 * each authorises a session key with one wallet signature, and once all have, anyone can open it on chain.
 */
export type ChannelDraft = Omit<ChannelConfig, 'participants'> & {
  participants: { address: Hex; role: Role }[]
}

export type Invite = {
  draft: ChannelDraft
  /** 32 random bytes shared only through the link: derives the room name and the room password */
  secret: Uint8Array
}

export type SessionKeyAuth = { participant: Hex; sessionKey: Hex; signature: Hex }

export class InviteError extends Error {
  override name = 'InviteError'
}

const enc = new TextEncoder()

/** Room name and password for the transport, derived from the channel id and the invite secret. */
export function roomOf(invite: Invite): { room: string; password: string } {
  const id = computeChannelId(draftAsConfig(invite.draft))
  return {
    room: `chx-${toHex(keccak256(new Uint8Array([...enc.encode('room'), ...id, ...invite.secret]))).slice(2, 34)}`,
    password: toHex(keccak256(new Uint8Array([...enc.encode('password'), ...invite.secret]))).slice(2),
  }
}

function draftAsConfig(d: ChannelDraft): ChannelConfig {
  return {
    ...d,
    participants: d.participants.map((p) => ({ ...p, sessionKey: '0x', authSignature: '0x' }) as Participant),
  }
}

export function draftChannelId(d: ChannelDraft): Uint8Array {
  return computeChannelId(draftAsConfig(d))
}

// JSON is fine here: invites are not part of the fold and never hashed as JSON.
type Json = string | number | boolean | null | Json[] | { [k: string]: Json }

export function encodeInvite(invite: Invite): string {
  const d = invite.draft
  const json: Json = {
    v: 1,
    chainId: d.chainId.toString(),
    contract: d.verifyingContract,
    nonce: d.nonce.toString(),
    participants: d.participants.map((p) => [p.address, p.role]),
    threshold: d.threshold,
    tokens: d.tokens,
    markets: d.markets.map((m) => [m.base, m.quote, m.tickSize.toString(), m.lotSize.toString()]),
    params: {
      minStake: d.params.minStake.toString(),
      disputeWindow: d.params.disputeWindow.toString(),
      maxLeverage: d.params.maxLeverage,
      makerFeeBps: d.params.makerFeeBps.toString(),
      takerFeeBps: d.params.takerFeeBps.toString(),
      feeRecipient: d.params.feeRecipient,
      maxOpenOrders: d.params.maxOpenOrders,
    },
    secret: toHex(invite.secret),
  }
  return base64url(enc.encode(JSON.stringify(json)))
}

/** Parses an invite string; throws InviteError naming what is wrong. */
export function decodeInvite(text: string): Invite {
  let j: Record<string, unknown>
  try {
    j = JSON.parse(new TextDecoder().decode(unbase64url(text.trim())))
  } catch {
    throw new InviteError('not an invite link')
  }
  const need = <T>(v: unknown, field: string, ok: (x: unknown) => x is T): T => {
    if (!ok(v)) throw new InviteError(`invite: bad ${field}`)
    return v
  }
  const isStr = (x: unknown): x is string => typeof x === 'string'
  const isInt = (x: unknown): x is number => Number.isInteger(x)
  const isHex = (x: unknown): x is Hex => typeof x === 'string' && /^0x[0-9a-fA-F]{40}$/.test(x)
  const big = (v: unknown, field: string) => {
    const s = need(v, field, isStr)
    if (!/^\d+$/.test(s)) throw new InviteError(`invite: bad ${field}`)
    return BigInt(s)
  }
  if (j.v !== 1) throw new InviteError('invite: unsupported version')
  const params = need(
    j.params,
    'params',
    (x): x is Record<string, unknown> => typeof x === 'object' && x !== null,
  )
  const parts = need(j.participants, 'participants', Array.isArray) as unknown[]
  const markets = need(j.markets, 'markets', Array.isArray) as unknown[]
  const tokens = need(j.tokens, 'tokens', Array.isArray) as unknown[]
  const secret = fromHex(need(j.secret, 'secret', isStr))
  if (secret.length !== 32) throw new InviteError('invite: bad secret')
  const draft: ChannelDraft = {
    chainId: big(j.chainId, 'chainId'),
    verifyingContract: need(j.contract, 'contract', isHex),
    nonce: big(j.nonce, 'nonce'),
    threshold: need(j.threshold, 'threshold', isInt),
    tokens: tokens.map((t, i) => need(t, `tokens[${i}]`, isHex)),
    participants: parts.map((p, i) => {
      if (!Array.isArray(p) || !isHex(p[0]) || !isInt(p[1]) || p[1] < 0 || p[1] > 3)
        throw new InviteError(`invite: bad participants[${i}]`)
      return { address: p[0], role: p[1] as Role }
    }),
    markets: markets.map((m, i): Market => {
      if (!Array.isArray(m) || !isInt(m[0]) || !isInt(m[1]))
        throw new InviteError(`invite: bad markets[${i}]`)
      return {
        base: m[0],
        quote: m[1],
        tickSize: big(m[2], `markets[${i}].tick`),
        lotSize: big(m[3], `markets[${i}].lot`),
      }
    }),
    params: {
      minStake: big(params.minStake, 'minStake'),
      disputeWindow: big(params.disputeWindow, 'disputeWindow'),
      maxLeverage: need(params.maxLeverage, 'maxLeverage', isInt),
      makerFeeBps: big(params.makerFeeBps, 'makerFeeBps'),
      takerFeeBps: big(params.takerFeeBps, 'takerFeeBps'),
      feeRecipient: need(params.feeRecipient, 'feeRecipient', isInt),
      maxOpenOrders: need(params.maxOpenOrders, 'maxOpenOrders', isInt),
    },
  }
  return { draft, secret }
}

/**
 * Checks one participant's session-key authorisation against the draft: the signer must be that participant's
 * wallet, over this channel's id, chain and contract.
 */
export function verifyAuth(draft: ChannelDraft, auth: SessionKeyAuth): boolean {
  const digest = sessionKeyDigest(
    { chainId: draft.chainId, verifyingContract: draft.verifyingContract },
    draftChannelId(draft),
    auth.participant,
    auth.sessionKey,
  )
  return recoverAddress(digest, fromHex(auth.signature)) === auth.participant.toLowerCase()
}

/** The full config once every participant has a valid authorisation; throws ChannelConfigError otherwise. */
export function completeDraft(draft: ChannelDraft, auths: readonly SessionKeyAuth[]): ChannelConfig {
  const participants = draft.participants.map((p, i): Participant => {
    const a = auths.find(
      (x) => x.participant.toLowerCase() === p.address.toLowerCase() && verifyAuth(draft, x),
    )
    if (!a) throw new ChannelConfigError(`participants[${i}]`, 'has not authorised a session key yet')
    return { address: p.address, role: p.role, sessionKey: a.sessionKey, authSignature: a.signature }
  })
  return { ...draft, participants }
}

function base64url(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += String.fromCharCode(x)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function unbase64url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(b, (c) => c.charCodeAt(0))
}
