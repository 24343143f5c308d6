import type { LendingParams, LendingToken } from './params.ts'

/**
 * `params.lending` in an invite link's JSON: bigints as decimal strings, indexes as numbers. The decoder takes the
 * invite's `need` / `big` checkers so every bad field is named like the rest of the link (invite: bad …).
 */
type Json = string | number | boolean | null | Json[] | { [k: string]: Json }
type Need = <T>(v: unknown, field: string, ok: (x: unknown) => x is T) => T
type Big = (v: unknown, field: string) => bigint

const RATES = [
  'ltvBps',
  'liquidationThresholdBps',
  'baseRateBps',
  'slope1Bps',
  'slope2Bps',
  'kinkBps',
] as const

export function encodeLending(p: LendingParams): Json {
  return {
    quoteToken: p.quoteToken,
    oracle: p.oracle,
    accrualIntervalMs: p.accrualIntervalMs.toString(),
    liquidationBonusBps: p.liquidationBonusBps.toString(),
    openLiquidation: p.openLiquidation,
    tokens: p.tokens.map((k) => ({
      token: k.token,
      ...(k.market === undefined ? {} : { market: k.market }),
      ...Object.fromEntries(RATES.map((r) => [r, k[r].toString()])),
      reserveFactorBps: k.reserveFactorBps.toString(),
    })),
  }
}

export function decodeLending(v: unknown, need: Need, big: Big): LendingParams {
  const isObj = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x)
  const isInt = (x: unknown): x is number => Number.isInteger(x)
  const isBool = (x: unknown): x is boolean => typeof x === 'boolean'
  const p = need(v, 'lending', isObj)
  const tokens = need(p.tokens, 'lending.tokens', Array.isArray) as unknown[]
  return {
    quoteToken: need(p.quoteToken, 'lending.quoteToken', isInt),
    oracle: need(p.oracle, 'lending.oracle', isInt),
    accrualIntervalMs: big(p.accrualIntervalMs, 'lending.accrualIntervalMs'),
    liquidationBonusBps: big(p.liquidationBonusBps, 'lending.liquidationBonusBps'),
    openLiquidation: need(p.openLiquidation, 'lending.openLiquidation', isBool),
    tokens: tokens.map((x, i): LendingToken => {
      const f = `lending.tokens[${i}]`
      const k = need(x, f, isObj)
      const rates = Object.fromEntries(RATES.map((r) => [r, big(k[r], `${f}.${r}`)])) as Record<
        (typeof RATES)[number],
        bigint
      >
      return {
        token: need(k.token, `${f}.token`, isInt),
        ...(k.market === undefined ? {} : { market: need(k.market, `${f}.market`, isInt) }),
        ...rates,
        reserveFactorBps: big(k.reserveFactorBps, `${f}.reserveFactorBps`),
      }
    }),
  }
}
