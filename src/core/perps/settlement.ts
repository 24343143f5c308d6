import type { PerpsState } from './engine.ts'
import { account } from './margin.ts'

/**
 * What each margin account is worth at settlement, in the collateral token, so that the checkpoint's exit leaves
 * stay plain (account, token, amount) and the contract does not change shape: every position is valued as if
 * closed at the checkpoint state's mark (equity = margin + unrealized PnL at mark, funding accrued included).
 *
 * Accounts with negative equity (bankrupt, not yet liquidated) count 0; their deficit is covered by the insurance
 * fund first, then taken from the accounts with positive equity in proportion to it (⌊deficit · equity / total⌋,
 * what rounding leaves by the lowest indexes that still hold value): the same socialisation as
 * auto-deleveraging. What is left of the insurance fund is paid to the channel's fee recipient. So the values
 * sum exactly to the collateral the margin accounts hold in total, and each is ≥ 0.
 */
export type Valuation = { values: bigint[]; insurance: bigint }

export function valuation(ps: PerpsState): Valuation {
  const equity = new Array<bigint>(ps.P)
  let deficit = 0n
  let positive = 0n
  for (let p = 0; p < ps.P; p++) {
    const e = account(ps, p).equity
    equity[p] = e
    if (e < 0n) deficit -= e
    else positive += e
  }
  const fromFund = deficit < ps.insurance ? deficit : ps.insurance
  let rest = deficit - fromFund
  const values = equity.map((e) => (e > 0n ? e : 0n))
  if (rest > 0n) {
    const total = positive
    let taken = 0n
    for (let p = 0; p < ps.P; p++) {
      const cut = (rest * values[p]!) / total
      values[p]! -= cut
      taken += cut
    }
    rest -= taken
    for (let p = 0; p < ps.P && rest > 0n; p++) {
      const cut = values[p]! < rest ? values[p]! : rest
      values[p]! -= cut
      rest -= cut
    }
  }
  return { values, insurance: ps.insurance - fromFund }
}
