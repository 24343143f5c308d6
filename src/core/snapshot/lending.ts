import type { LendingState } from '../lending/engine.ts'
import type { Reader, Writer } from './bytesIO.ts'

/**
 * The lending part of a state snapshot (channels with params.lending): per lendable token its pool (cash, shares,
 * scaled debt, borrow index, reserve, bad debt, accrual epoch), every account's supply shares and scaled debt, and
 * the spot markets' oracle prices and last trades that price collateral. Widths as in the state root (32 bytes).
 */
export function writeLending(w: Writer, ls: LendingState): void {
  for (const t of ls.lendable) {
    const p = ls.pools[t]!
    for (const v of [p.cash, p.totalShares, p.totalScaled, p.borrowIndex, p.reserve, p.badDebt]) w.uint(v, 32)
    w.opt(p.epoch, 8)
  }
  for (let i = 0; i < ls.shares.length; i++) {
    w.uint(ls.shares[i]!, 32)
    w.uint(ls.scaled[i]!, 32)
  }
  for (let m = 0; m < ls.M; m++) {
    w.opt(ls.spotOracle[m], 8)
    w.opt(ls.spotLastTrade[m], 8)
  }
}

/** Reads what writeLending wrote into the fresh lending state of the same channel. */
export function readLending(r: Reader, ls: LendingState): void {
  for (const t of ls.lendable)
    ls.pools[t] = {
      cash: r.uint(32),
      totalShares: r.uint(32),
      totalScaled: r.uint(32),
      borrowIndex: r.uint(32),
      reserve: r.uint(32),
      badDebt: r.uint(32),
      epoch: r.opt(8),
    }
  for (let i = 0; i < ls.shares.length; i++) {
    ls.shares[i] = r.uint(32)
    ls.scaled[i] = r.uint(32)
  }
  for (let m = 0; m < ls.M; m++) {
    ls.spotOracle[m] = r.opt(8)
    ls.spotLastTrade[m] = r.opt(8)
  }
}
