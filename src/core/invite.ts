import { FEE_TIERS_BPS } from './amm/fees.ts'
import { fromHex, type Hex, toHex } from './bytes.ts'
import {
  type AmmParams,
  type ChannelConfig,
  ChannelConfigError,
  computeChannelId,
  type Market,
  type Participant,
  type PerpParams,
  type Role,
  sessionKeyDigest,
  validateParams,
  validatePerps,
} from './channel.ts'
import { keccak256 } from './hash.ts'
import { decodeLending, encodeLending } from './lending/invite.ts'
import { lendingConfigError } from './lending/params.ts'
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
    // a perp market carries its kind as a fifth element; spot markets keep the original four
    markets: d.markets.map((m) => {
      const row: Json[] = [m.base, m.quote, m.tickSize.toString(), m.lotSize.toString()]
      if (m.kind === 'perp') row.push('perp')
      return row
    }),
    params: {
      minStake: d.params.minStake.toString(),
      disputeWindow: d.params.disputeWindow.toString(),
      maxLeverage: d.params.maxLeverage,
      makerFeeBps: d.params.makerFeeBps.toString(),
      takerFeeBps: d.params.takerFeeBps.toString(),
      feeRecipient: d.params.feeRecipient,
      maxOpenOrders: d.params.maxOpenOrders,
      ...(d.params.perps ? { perps: encodePerps(d.params.perps) } : {}),
      ...(d.params.lending ? { lending: encodeLending(d.params.lending) } : {}),
      ...(d.params.amm ? { amm: { defaultFeeBps: d.params.amm.defaultFeeBps.toString() } } : {}),
    },
    secret: toHex(invite.secret),
  }
  return base64url(enc.encode(JSON.stringify(json)))
}

function encodePerps(p: PerpParams): Json {
  return {
    collateralToken: p.collateralToken,
    oracle: p.oracle,
    maintenanceMarginBps: p.maintenanceMarginBps.toString(),
    liquidationFeeBps: p.liquidationFeeBps.toString(),
    fundingIntervalMs: p.fundingIntervalMs.toString(),
    fundingFactorBps: p.fundingFactorBps.toString(),
    fundingCapBps: p.fundingCapBps.toString(),
    openLiquidation: p.openLiquidation,
  }
}

/**
 * Parses an invite string; throws InviteError naming what is wrong. Perp markets (`kind: 'perp'`) and
 * `params.perps` are checked with the rules the channel is opened with (channel.ts validatePerps), so a link the
 * channel would refuse is refused here, before anyone signs.
 */
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
  if (j.v !== 1)
    throw new InviteError(
      `invite: made by another version of the app (invite format ${String(j.v)}, this app reads 1)`,
    )
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
      if (!Array.isArray(m) || !isInt(m[0]) || !isInt(m[1]) || m.length > 5)
        throw new InviteError(`invite: bad markets[${i}]`)
      if (m.length === 5 && m[4] !== 'perp') throw new InviteError(`invite: bad markets[${i}].kind`)
      return {
        base: m[0],
        quote: m[1],
        tickSize: big(m[2], `markets[${i}].tick`),
        lotSize: big(m[3], `markets[${i}].lot`),
        ...(m[4] === 'perp' ? { kind: 'perp' as const } : {}),
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
      ...(params.perps === undefined ? {} : { perps: decodePerps(params.perps, need, big) }),
      ...(params.lending === undefined ? {} : { lending: decodeLending(params.lending, need, big) }),
      ...(params.amm === undefined ? {} : { amm: decodeAmm(params.amm, need, big) }),
    },
  }
  const lendingError = lendingConfigError(draft)
  if (lendingError) throw new InviteError(`invite: ${lendingError.field}: ${lendingError.message}`)
  try {
    validateParams(draft)
    validatePerps(draft)
  } catch (e) {
    if (e instanceof ChannelConfigError) throw new InviteError(`invite: ${e.message}`)
    throw e
  }
  return { draft, secret }
}

type Need = <T>(v: unknown, field: string, ok: (x: unknown) => x is T) => T

/** `params.amm`: the default fee must be one of the fee tiers, as openChannel requires. */
function decodeAmm(v: unknown, need: Need, big: (v: unknown, field: string) => bigint): AmmParams {
  const a = need(
    v,
    'amm',
    (x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x),
  )
  const defaultFeeBps = big(a.defaultFeeBps, 'amm.defaultFeeBps')
  if (!FEE_TIERS_BPS.includes(defaultFeeBps))
    throw new InviteError(`invite: amm.defaultFeeBps must be one of ${FEE_TIERS_BPS.join(', ')} bps`)
  return { defaultFeeBps }
}

function decodePerps(v: unknown, need: Need, big: (v: unknown, field: string) => bigint): PerpParams {
  const p = need(
    v,
    'perps',
    (x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x),
  )
  const isInt = (x: unknown): x is number => Number.isInteger(x)
  const isBool = (x: unknown): x is boolean => typeof x === 'boolean'
  return {
    collateralToken: need(p.collateralToken, 'perps.collateralToken', isInt),
    oracle: need(p.oracle, 'perps.oracle', isInt),
    maintenanceMarginBps: big(p.maintenanceMarginBps, 'perps.maintenanceMarginBps'),
    liquidationFeeBps: big(p.liquidationFeeBps, 'perps.liquidationFeeBps'),
    fundingIntervalMs: big(p.fundingIntervalMs, 'perps.fundingIntervalMs'),
    fundingFactorBps: big(p.fundingFactorBps, 'perps.fundingFactorBps'),
    fundingCapBps: big(p.fundingCapBps, 'perps.fundingCapBps'),
    openLiquidation: need(p.openLiquidation, 'perps.openLiquidation', isBool),
  }
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
