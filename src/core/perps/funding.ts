import { I128_MAX } from './positions.ts'

/**
 * Funding between longs and shorts, every `fundingIntervalMs` of the channel clock. Epoch e = ⌊time / interval⌋;
 * when an op at a later epoch touches perps, each perp market's cumulative funding per lot grows by
 * (epochs elapsed) · f, where
 *   f = clamp(⌊(mark − index) · tick · fundingFactorBps / 10,000⌋, ±⌊index · tick · fundingCapBps / 10,000⌋)
 * (quote units per lot; division truncates toward zero; index = the oracle price). Positions pay
 * size · (cum − snapshot) when they are next touched (lazily): since sizes of a market sum to zero at every epoch,
 * funding is exactly zero-sum. The first epoch a market sees only starts its clock; a market without an oracle
 * price pays nothing.
 */
export type FundingState = {
  /** cumulative funding per lot (quote units), signed: longs pay its increase */
  cum: bigint
  /** the last epoch funding was paid up to, undefined before the market first saw the clock */
  epoch: bigint | undefined
  /** the last per-interval rate f applied (quote units per lot), for display */
  rate: bigint
}

/** cum stays within this bound; beyond it funding stops growing (any change of cum is zero-sum, so this conserves). */
export const CUM_BOUND = I128_MAX >> 20n

export type FundingParams = { fundingFactorBps: bigint; fundingCapBps: bigint }

/** The funding per lot for one interval, from the mark–index premium, clamped. */
export function fundingRate(mark: bigint, index: bigint, tickSize: bigint, p: FundingParams): bigint {
  const raw = ((mark - index) * tickSize * p.fundingFactorBps) / 10_000n
  const cap = (index * tickSize * p.fundingCapBps) / 10_000n
  return raw > cap ? cap : raw < -cap ? -cap : raw
}

/** Pays every interval elapsed up to `epoch` into `f.cum` (returns the new state; the input is not changed). */
export function advanceFunding(
  f: FundingState,
  epoch: bigint,
  mark: bigint | undefined,
  index: bigint | undefined,
  tickSize: bigint,
  p: FundingParams,
): FundingState {
  if (f.epoch === undefined || mark === undefined || index === undefined)
    return { cum: f.cum, epoch: f.epoch === undefined || epoch > f.epoch ? epoch : f.epoch, rate: f.rate }
  if (epoch <= f.epoch) return f
  const rate = fundingRate(mark, index, tickSize, p)
  let cum = f.cum + rate * (epoch - f.epoch)
  if (cum > CUM_BOUND) cum = CUM_BOUND
  if (cum < -CUM_BOUND) cum = -CUM_BOUND
  return { cum, epoch, rate }
}
