import { ChannelConfigError, type Market, type PerpParams, validatePerps } from '../../core/channel.ts'
import { AmountError, parseUnits, type TokenInfo, wholeNumberError } from '../format.ts'

/** The create form's perp-market fields, as typed. */
export type PerpFields = {
  enabled: boolean
  /** token indexes: the underlying (names the market) and the collateral it is quoted and margined in */
  underlying: number
  collateral: number
  /** lot size in underlying units, e.g. "0.001" */
  lot: string
  /** participant index (a row of the form) allowed to post the index price */
  oracle: number
  maxLeverage: string
  maintenanceMarginBps: string
  liquidationFeeBps: string
  fundingIntervalSec: string
  fundingFactorBps: string
  fundingCapBps: string
  openLiquidation: boolean
}

/** Defaults in the spirit of the large perp venues: 10×, 5 % maintenance, 1 % fee, hourly funding capped at 0.5 %. */
export const DEFAULT_PERP_FIELDS: Omit<PerpFields, 'underlying' | 'collateral'> = {
  enabled: false,
  lot: '0.001',
  oracle: 0,
  maxLeverage: '10',
  maintenanceMarginBps: '500',
  liquidationFeeBps: '100',
  fundingIntervalSec: '3600',
  fundingFactorBps: '1000',
  fundingCapBps: '50',
  openLiquidation: false,
}

export type PerpDraftPart = { market: Market; perps: PerpParams; maxLeverage: number }

/** The market's tick: 0.01 collateral per whole underlying token, at least one unit of the collateral. */
export function perpTickSize(lotSize: bigint, underlying: TokenInfo, collateral: TokenInfo): bigint {
  const t = (10n ** BigInt(collateral.decimals) * lotSize) / (100n * 10n ** BigInt(underlying.decimals))
  return t === 0n ? 1n : t
}

/** Channel-config fields → the form's labels, so a refusal reads like the form. */
const LABELS: Record<string, string> = {
  'params.maxLeverage': 'Max leverage',
  'params.perps.maintenanceMarginBps': 'Maintenance margin',
  'params.perps.liquidationFeeBps': 'Liquidation fee',
  'params.perps.fundingIntervalMs': 'Funding interval',
  'params.perps.fundingFactorBps': 'Funding factor',
  'params.perps.fundingCapBps': 'Funding cap',
  'params.perps.collateralToken': 'Collateral',
  'params.perps.oracle': 'Oracle',
}

/**
 * The perp market and parameters the fields describe, or every problem found (each naming its field), checked by
 * the same rules the channel is opened with (core validatePerps). `spot` is the channel's spot market (market 0);
 * the perp market becomes market 1.
 */
export function perpDraftOf(
  f: PerpFields,
  tokens: readonly TokenInfo[],
  participants: number,
  spot: Market,
): { ok: true; value: PerpDraftPart } | { ok: false; errors: string[] } {
  const errors = [
    wholeNumberError('Max leverage', f.maxLeverage),
    wholeNumberError('Maintenance margin', f.maintenanceMarginBps),
    wholeNumberError('Liquidation fee', f.liquidationFeeBps),
    wholeNumberError('Funding interval', f.fundingIntervalSec),
    wholeNumberError('Funding factor', f.fundingFactorBps),
    wholeNumberError('Funding cap', f.fundingCapBps),
  ].filter((x): x is string => x !== undefined)
  const u = tokens[f.underlying]
  const c = tokens[f.collateral]
  if (!u || !c) errors.push('Perp market: choose an underlying and a collateral token')
  else if (f.underlying === f.collateral)
    errors.push('Perp market: the underlying and the collateral must differ')
  if (errors.length > 0 || !u || !c) return { ok: false, errors }
  let lotSize: bigint
  try {
    lotSize = parseUnits(f.lot, u.decimals)
  } catch (e) {
    return { ok: false, errors: [`Perp lot: ${e instanceof AmountError ? e.message : String(e)}`] }
  }
  if (lotSize <= 0n) return { ok: false, errors: ['Perp lot: must be above zero'] }
  const maxLeverage = Number(f.maxLeverage)
  if (maxLeverage < 1 || maxLeverage > 1000) return { ok: false, errors: ['Max leverage: from 1 to 1000'] }
  const mm = BigInt(f.maintenanceMarginBps)
  if (mm === 0n || mm * BigInt(maxLeverage) >= 10_000n)
    return {
      ok: false,
      errors: [
        `Maintenance margin: must be above 0 and below the initial margin at ${maxLeverage}× (${10_000n / BigInt(maxLeverage)} bps)`,
      ],
    }
  const interval = BigInt(f.fundingIntervalSec)
  if (interval === 0n) return { ok: false, errors: ['Funding interval: must be at least 1 s'] }
  const market: Market = {
    base: f.underlying,
    quote: f.collateral,
    lotSize,
    tickSize: perpTickSize(lotSize, u, c),
    kind: 'perp',
  }
  const perps: PerpParams = {
    collateralToken: f.collateral,
    oracle: f.oracle,
    maintenanceMarginBps: mm,
    liquidationFeeBps: BigInt(f.liquidationFeeBps),
    fundingIntervalMs: interval * 1000n,
    fundingFactorBps: BigInt(f.fundingFactorBps),
    fundingCapBps: BigInt(f.fundingCapBps),
    openLiquidation: f.openLiquidation,
  }
  try {
    validatePerps({
      markets: [spot, market],
      tokens: tokens.map((t) => t.address),
      participants: new Array<null>(participants).fill(null),
      params: {
        minStake: 0n,
        disputeWindow: 1n,
        maxLeverage,
        makerFeeBps: 0n,
        takerFeeBps: 0n,
        feeRecipient: 0,
        maxOpenOrders: 0,
        perps,
      },
    })
  } catch (e) {
    if (!(e instanceof ChannelConfigError)) throw e
    const label = LABELS[e.field] ?? e.field
    return { ok: false, errors: [`${label}: ${e.message.slice(e.field.length + 2)}`] }
  }
  return { ok: true, value: { market, perps, maxLeverage } }
}
