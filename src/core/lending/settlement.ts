import type { LendingHost, LendingState } from './engine.ts'
import { claimOf, debtOf, supplyIndex } from './pool.ts'
import { type Price, valueDown } from './prices.ts'

/**
 * What every (account, token) is worth at settlement once the lending pool is closed out, so that the exit leaf
 * stays a plain (account, token, amount) and every token is conserved exactly. `base(p, t)` ≥ 0 is what the account
 * holds outside the pool (ledger buckets, and the margin account valued by perps/settlement.ts).
 *
 * 1. Net per token: n(p, t) = base + claim − debt (supply redeemed at the supply index, rounded down; debt at the
 *    borrow index, rounded up). The pool's remainder cash + Σ debts − Σ claims (≥ 0: the reserve and every rounding)
 *    is a claim of the fee recipient. Then Σ_p n(p, t) = what the channel holds of t, exactly.
 * 2. A negative n(p, t) is a shortfall: set to 0, and the total shortfall of t is taken from the net suppliers of t
 *    (claim − debt > 0) in proportion to that net supply (⌊·⌋, the remainder by index order). Σ net supplies ≥ Σ
 *    shortfalls always, because Σ_p (claim − debt) = the pool's cash ≥ 0.
 * 3. Each account with a shortfall pays for it out of its other tokens at the current prices (a close-out at mark,
 *    no bonus): token by token in index order it gives up ⌈shortfall value / price⌉, at most what it has, and that is
 *    shared among the suppliers cut for that shortfall in proportion to their cut. What its tokens cannot cover (or
 *    an unpriced token) is the settlement's bad debt, borne by those suppliers: `badDebt[t]`.
 * Every step moves exact amounts between accounts of one token, so Σ_p holdings(p, t) is unchanged, and each is ≥ 0.
 */
export type LendingValuation = { holdings: bigint[]; badDebt: bigint[] }

export function lendingValuation(
  ls: LendingState,
  host: LendingHost,
  base: (p: number, t: number) => bigint,
  feeRecipient: number,
): LendingValuation {
  const { P, T } = ls
  const prices = ls.prices(host)
  const n = new Array<bigint>(P * T)
  for (let p = 0; p < P; p++) for (let t = 0; t < T; t++) n[p * T + t] = base(p, t)
  // net supply per (p, t) of lendable tokens (> 0: a net supplier)
  const net = new Array<bigint>(P * T).fill(0n)
  for (const t of ls.lendable) {
    const pool = ls.pools[t]!
    const index = supplyIndex(pool)
    let claims = 0n
    let debts = 0n
    for (let p = 0; p < P; p++) {
      const i = p * T + t
      const c = claimOf(ls.shares[i]!, index)
      const d = debtOf(ls.scaled[i]!, pool)
      claims += c
      debts += d
      net[i] = c - d
    }
    net[feeRecipient * T + t]! += pool.cash + debts - claims
    for (let p = 0; p < P; p++) n[p * T + t]! += net[p * T + t]!
  }
  // shortfalls, and the cuts of the net suppliers that bear them
  const short = new Array<bigint>(P * T).fill(0n)
  const cut = new Array<bigint>(P * T).fill(0n)
  const shortOf = new Array<bigint>(T).fill(0n)
  for (const t of ls.lendable) {
    let total = 0n
    for (let p = 0; p < P; p++) {
      const i = p * T + t
      if (n[i]! < 0n) {
        short[i] = -n[i]!
        total += short[i]!
        n[i] = 0n
      }
    }
    if (total === 0n) continue
    shortOf[t] = total
    let supplied = 0n
    for (let p = 0; p < P; p++) if (net[p * T + t]! > 0n) supplied += net[p * T + t]!
    let left = total
    for (let p = 0; p < P; p++) {
      const i = p * T + t
      if (net[i]! <= 0n) continue
      cut[i] = (total * net[i]!) / supplied
      left -= cut[i]!
    }
    for (let p = 0; p < P && left > 0n; p++) {
      const i = p * T + t
      const room = net[i]! > 0n ? net[i]! - cut[i]! : 0n
      const more = room < left ? room : left
      cut[i]! += more
      left -= more
    }
    for (let p = 0; p < P; p++) n[p * T + t]! -= cut[p * T + t]!
  }
  // close-out: accounts with a shortfall pay for it in their other tokens
  const badDebt = shortOf.slice()
  for (let p = 0; p < P; p++)
    for (const t of ls.lendable) {
      const s = short[p * T + t]!
      const pt = prices[t]
      if (s === 0n || !pt) continue
      let value = (s * pt.num + pt.den - 1n) / pt.den
      for (let u = 0; u < T && value > 0n; u++) {
        const pu: Price | undefined = u === ls.params.quoteToken ? { num: 1n, den: 1n } : prices[u]
        const have = n[p * T + u]!
        if (u === t || !pu || have === 0n) continue
        const need = (value * pu.den + pu.num - 1n) / pu.num
        const take = need < have ? need : have
        n[p * T + u]! -= take
        share(n, cut, t, u, take, shortOf[t]!, P, T)
        value -= take === need ? value : valueDown(take, pu)
      }
      // what stayed uncovered, in units of t (at most the shortfall)
      const bad = value === 0n ? 0n : (value * pt.den + pt.num - 1n) / pt.num
      badDebt[t]! -= bad < s ? s - bad : 0n
    }
  return { holdings: n, badDebt }
}

/** Gives `amount` of token u to the suppliers of t in proportion to their cut (remainder by index order). */
function share(
  n: bigint[],
  cut: readonly bigint[],
  t: number,
  u: number,
  amount: bigint,
  total: bigint,
  P: number,
  T: number,
): void {
  let left = amount
  for (let q = 0; q < P; q++) {
    const c = cut[q * T + t]!
    if (c === 0n) continue
    const x = (amount * c) / total
    n[q * T + u]! += x
    left -= x
  }
  for (let q = 0; q < P && left > 0n; q++)
    if (cut[q * T + t]! > 0n) {
      n[q * T + u]! += left
      left = 0n
    }
}
