import { abiEncode } from './abi.ts'
import { FEE_TIERS_BPS } from './amm/fees.ts'
import { fromHex, type Hex } from './bytes.ts'
import { type Domain, domainSeparator, sessionKeyStructHash, typedDataDigest } from './eip712.ts'
import { channelGenesis } from './genesis.ts'
import { keccak256 } from './hash.ts'
import { type LendingParams, lendingConfigError } from './lending/params.ts'
import { recoverAddress } from './signature.ts'

export const Role = { Trader: 0, MarketMaker: 1, Liquidator: 2, Observer: 3 } as const
export type Role = (typeof Role)[keyof typeof Role]
export const ROLE_NAMES = ['Trader', 'MarketMaker', 'Liquidator', 'Observer'] as const

/**
 * What each role may do inside the channel. Observers only watch and co-sign checkpoints. Liquidating a perp
 * position is the Liquidator role's (or anyone's, when the channel's perp params say so).
 */
export const Permission = { Trade: 1, Transfer: 2, Funds: 4, Lock: 8, Checkpoint: 16, Liquidate: 32 } as const
const ALL = 31
export const ROLE_PERMISSIONS: readonly number[] = [
  ALL,
  ALL,
  ALL | Permission.Liquidate,
  Permission.Checkpoint,
]

export type Participant = {
  /** The participant's wallet address: its identity on chain and in the channel. */
  address: Hex
  role: Role
  /** The channel session key that signs blocks and checkpoints. */
  sessionKey: Hex
  /** The wallet's EIP-712 SessionKey signature authorising `sessionKey` for this channel. */
  authSignature: Hex
}

/**
 * A market: prices are integer ticks of `tickSize` quote units per lot of `lotSize` base units. `kind` 'spot'
 * (the default) delivers base against quote; 'perp' is a perpetual future settled in the channel's collateral
 * token (`quote`, which must be `params.perps.collateralToken`): no base is delivered, `base` only names the
 * underlying, and positions, margin and funding live in the margin accounts (src/core/perps).
 */
export type Market = {
  base: number
  quote: number
  tickSize: bigint
  lotSize: bigint
  kind?: 'spot' | 'perp'
}

/**
 * Perpetual-futures parameters (not part of the channelId, like the markets). Leverage is capped by
 * `params.maxLeverage` (initial margin = notional / maxLeverage).
 */
export type PerpParams = {
  /** the token every perp market is quoted and margined in */
  collateralToken: number
  /** participant index allowed to post OraclePrice ops */
  oracle: number
  /** maintenance margin, in bps of the position notional at mark; maintenanceMarginBps · maxLeverage < 10,000 */
  maintenanceMarginBps: bigint
  /** liquidation fee, in bps of the liquidated notional at mark, paid to the insurance fund */
  liquidationFeeBps: bigint
  /** the channel-clock interval between funding payments (ms) */
  fundingIntervalMs: bigint
  /** per interval, longs pay shorts premium · fundingFactorBps / 10,000 per lot (premium = (mark − index) · tick) */
  fundingFactorBps: bigint
  /** per interval and lot, |funding| ≤ index · tick · fundingCapBps / 10,000 */
  fundingCapBps: bigint
  /** true: any participant may liquidate; false: only those with the Liquidator role */
  openLiquidation: boolean
}

export type ChannelParams = {
  minStake: bigint
  disputeWindow: bigint
  maxLeverage: number
  makerFeeBps: bigint
  takerFeeBps: bigint
  /** Participant index credited with trading fees. */
  feeRecipient: number
  /** Resting orders one participant may hold, bounding state growth. */
  maxOpenOrders: number
  /** Required when a market is a perp market. */
  perps?: PerpParams
  /** Present: every spot market has a constant-product AMM pool (src/core/amm). */
  amm?: AmmParams
  /** Present: the lending pool (src/core/lending) over `lending.tokens`. */
  lending?: LendingParams
}

/** AMM parameters (not part of the channelId, like the markets). */
export type AmmParams = {
  /** a pool's fee while no liquidity provider votes: one of the fee tiers (1, 5, 30, 100 bps) */
  defaultFeeBps: bigint
}

export type ChannelConfig = {
  chainId: bigint
  verifyingContract: Hex
  nonce: bigint
  participants: Participant[]
  threshold: number
  tokens: Hex[]
  markets: Market[]
  params: ChannelParams
}

/** what the settlement contract accepts: `open` for 200 participants fits one transaction's gas cap (EIP-7825) */
export const MAX_PARTICIPANTS = 200
export const MAX_FEE_BPS = 1000n
/** ChannelSettlement.MAX_DISPUTE_WINDOW: `open` reverts on a longer window (seconds) */
export const MAX_DISPUTE_WINDOW = 365n * 24n * 3600n

export class ChannelConfigError extends Error {
  override name = 'ChannelConfigError'
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`)
  }
}

/**
 * channelId = keccak256(abi.encode(chainId, verifyingContract, participants, roles, threshold, disputeWindow,
 * minStake, maxLeverage, tokens, nonce)) — the formula ChannelSettlement.open uses.
 */
export function computeChannelId(c: Omit<ChannelConfig, 'markets'>): Uint8Array {
  return keccak256(
    abiEncode([
      { type: 'uint', value: c.chainId },
      { type: 'address', value: c.verifyingContract },
      { type: 'address[]', value: c.participants.map((p) => p.address) },
      { type: 'uint[]', value: c.participants.map((p) => BigInt(p.role)) },
      { type: 'uint', value: BigInt(c.threshold) },
      { type: 'uint', value: c.params.disputeWindow },
      { type: 'uint', value: c.params.minStake },
      { type: 'uint', value: BigInt(c.params.maxLeverage) },
      { type: 'address[]', value: c.tokens },
      { type: 'uint', value: c.nonce },
    ]),
  )
}

const U64_LIMIT = 1n << 64n

/**
 * Perp markets and their params: the fold relies on every bound checked here. Throws ChannelConfigError naming the
 * field (also used by invites and the create form, before anything is signed).
 */
export function validatePerps(
  config: Pick<ChannelConfig, 'markets' | 'params' | 'tokens'> & { participants: unknown[] },
): void {
  const { params } = config
  const perpMarkets = config.markets.filter((m) => m.kind === 'perp')
  config.markets.forEach((m, i) => {
    if (m.kind !== undefined && m.kind !== 'spot' && m.kind !== 'perp')
      throw new ChannelConfigError(`markets[${i}].kind`, `unknown kind ${String(m.kind)}`)
  })
  const pp = params.perps
  if (!pp) {
    if (perpMarkets.length > 0) throw new ChannelConfigError('params.perps', 'required by perp markets')
    return
  }
  const bad = (field: string, why: string) => new ChannelConfigError(`params.perps.${field}`, why)
  if (!isIndex(pp.collateralToken, config.tokens.length)) throw bad('collateralToken', 'not a channel token')
  if (!isIndex(pp.oracle, config.participants.length)) throw bad('oracle', 'not a participant index')
  if (!(Number.isInteger(params.maxLeverage) && params.maxLeverage >= 1 && params.maxLeverage <= 1000))
    throw new ChannelConfigError('params.maxLeverage', 'must be an integer in [1, 1000]')
  if (pp.maintenanceMarginBps <= 0n || pp.maintenanceMarginBps * BigInt(params.maxLeverage) >= 10_000n)
    throw bad('maintenanceMarginBps', 'must be > 0 and below the initial margin (10,000 / maxLeverage bps)')
  if (pp.liquidationFeeBps < 0n || pp.liquidationFeeBps > 10_000n)
    throw bad('liquidationFeeBps', 'out of range')
  if (pp.fundingIntervalMs <= 0n || pp.fundingIntervalMs >= U64_LIMIT)
    throw bad('fundingIntervalMs', 'out of range')
  if (pp.fundingFactorBps < 0n || pp.fundingFactorBps > 10_000n) throw bad('fundingFactorBps', 'out of range')
  if (pp.fundingCapBps < 0n || pp.fundingCapBps > 10_000n) throw bad('fundingCapBps', 'out of range')
  if (typeof pp.openLiquidation !== 'boolean') throw bad('openLiquidation', 'must be a boolean')
  config.markets.forEach((m, i) => {
    if (m.kind !== 'perp') return
    if (m.quote !== pp.collateralToken)
      throw new ChannelConfigError(`markets[${i}]`, 'a perp market is quoted in the collateral token')
    if (m.tickSize >= U64_LIMIT)
      throw new ChannelConfigError(`markets[${i}]`, 'perp tick size must be < 2^64')
  })
}

export function sessionKeyDigest(domain: Domain, channelId: Uint8Array, participant: Hex, sessionKey: Hex) {
  return typedDataDigest(domainSeparator(domain), sessionKeyStructHash(channelId, participant, sessionKey))
}

/** A validated channel: the config plus everything derived from it that the hot path needs. */
export type Channel = {
  config: ChannelConfig
  channelId: Uint8Array
  domainSeparator: Uint8Array
  /** lowercase address → participant index */
  indexOf: Map<string, number>
  /** participant index → lowercase session-key address */
  sessionKeys: string[]
  /** what every author's first block names as its prev: the protocol version and the whole config (genesis.ts) */
  genesis: Uint8Array
}

const lower = (h: string) => h.toLowerCase()
/** The fold indexes balance arrays with these: a negative or fractional index would reach another account. */
const isIndex = (i: number, length: number) => Number.isInteger(i) && i >= 0 && i < length

/**
 * Validates a channel configuration and derives its id. Rejects (ChannelConfigError naming the field) fewer
 * than 2 or more than MAX_PARTICIPANTS participants, zero or duplicate addresses, duplicate session keys, t ≤ n/2, t > n or a
 * fractional t, unknown roles, no tokens, more than 256 or duplicate tokens, a zero dispute window, markets over unknown or equal tokens, zero tick or lot sizes,
 * fees over MAX_FEE_BPS, a fee recipient or open-order limit that is not a valid integer, and any session-key
 * authorisation not signed by its participant's wallet.
 */
/**
 * The channel parameters `open` and the fold would refuse — dispute window (1 s to 365 days, the contract's
 * bounds), fees (0 to MAX_FEE_BPS), fee recipient, open-order limit — checked on a draft too, so an invite or the
 * create form refuses them before anyone signs. Throws ChannelConfigError naming the field.
 */
export function validateParams(config: { participants: readonly unknown[]; params: ChannelParams }): void {
  const { params } = config
  if (params.disputeWindow <= 0n || params.disputeWindow > MAX_DISPUTE_WINDOW)
    throw new ChannelConfigError(
      'params.disputeWindow',
      `must be from 1 to ${MAX_DISPUTE_WINDOW} seconds (365 days, the settlement contract's limit)`,
    )
  if (params.makerFeeBps < 0n || params.makerFeeBps > MAX_FEE_BPS)
    throw new ChannelConfigError('params.makerFeeBps', `must be from 0 to ${MAX_FEE_BPS} bps`)
  if (params.takerFeeBps < 0n || params.takerFeeBps > MAX_FEE_BPS)
    throw new ChannelConfigError('params.takerFeeBps', `must be from 0 to ${MAX_FEE_BPS} bps`)
  if (!isIndex(params.feeRecipient, config.participants.length))
    throw new ChannelConfigError('params.feeRecipient', 'not a participant index')
  if (!Number.isInteger(params.maxOpenOrders) || params.maxOpenOrders < 0)
    throw new ChannelConfigError('params.maxOpenOrders', 'must be a non-negative integer')
}

export function openChannel(config: ChannelConfig): Channel {
  const n = config.participants.length
  if (n < 2 || n > MAX_PARTICIPANTS) throw new ChannelConfigError('participants', `count ${n} out of range`)
  if (!(Number.isInteger(config.threshold) && 2 * config.threshold > n && config.threshold <= n))
    throw new ChannelConfigError('threshold', `t=${config.threshold} must satisfy n/2 < t ≤ n (n=${n})`)
  const indexOf = new Map<string, number>()
  const keys = new Set<string>()
  config.participants.forEach((p, i) => {
    if (/^0x0{40}$/.test(p.address)) throw new ChannelConfigError(`participants[${i}]`, 'zero address')
    if (indexOf.has(lower(p.address))) throw new ChannelConfigError(`participants[${i}]`, 'duplicate address')
    if (keys.has(lower(p.sessionKey)))
      throw new ChannelConfigError(`participants[${i}]`, 'duplicate session key')
    if (!(p.role in ROLE_NAMES))
      throw new ChannelConfigError(`participants[${i}].role`, `unknown role ${p.role}`)
    indexOf.set(lower(p.address), i)
    keys.add(lower(p.sessionKey))
  })
  // the settlement contract accepts at most 256 tokens per channel
  if (config.tokens.length === 0 || config.tokens.length > 256)
    throw new ChannelConfigError('tokens', 'count out of range')
  if (new Set(config.tokens.map(lower)).size !== config.tokens.length)
    throw new ChannelConfigError('tokens', 'duplicate token')
  config.markets.forEach((m, i) => {
    const T = config.tokens.length
    if (!isIndex(m.base, T) || !isIndex(m.quote, T) || m.base === m.quote)
      throw new ChannelConfigError(`markets[${i}]`, 'base and quote must be two different channel tokens')
    if (m.tickSize <= 0n || m.lotSize <= 0n) throw new ChannelConfigError(`markets[${i}]`, 'tick and lot > 0')
  })
  validateParams(config)
  validatePerps(config)
  const lendingError = lendingConfigError(config)
  if (lendingError) throw new ChannelConfigError(lendingError.field, lendingError.message)
  if (config.params.amm !== undefined && !FEE_TIERS_BPS.includes(config.params.amm.defaultFeeBps))
    throw new ChannelConfigError('params.amm.defaultFeeBps', `must be one of ${FEE_TIERS_BPS.join(', ')} bps`)
  const channelId = computeChannelId(config)
  const domain = { chainId: config.chainId, verifyingContract: config.verifyingContract }
  config.participants.forEach((p, i) => {
    const digest = sessionKeyDigest(domain, channelId, p.address, p.sessionKey)
    const signer = recoverAddress(digest, fromHex(p.authSignature))
    if (signer !== lower(p.address))
      throw new ChannelConfigError(`participants[${i}].authSignature`, 'not signed by the participant wallet')
  })
  return {
    config,
    channelId,
    domainSeparator: domainSeparator(domain),
    indexOf,
    sessionKeys: config.participants.map((p) => lower(p.sessionKey)),
    genesis: channelGenesis(config, channelId),
  }
}
