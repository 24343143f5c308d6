import type { FundingEvent, PerpsState } from '../perps/engine.ts'
import type { Position } from '../perps/positions.ts'
import type { Reader, Writer } from './bytesIO.ts'

/**
 * The perps part of a state snapshot (channels with perp markets): margin accounts, insurance fund, collateral,
 * then per market its oracle price, last trade, funding state and the funding history shown to users, and every
 * (participant, market) position. Signed values are two's complement i128, like the state root's.
 */
export function writePerps(w: Writer, ps: PerpsState): void {
  for (const m of ps.margin) w.int(m, 16)
  w.int(ps.insurance, 16)
  w.int(ps.collateral, 16)
  for (let m = 0; m < ps.M; m++) {
    w.opt(ps.oracle[m], 8)
    w.opt(ps.lastTrade[m], 8)
    const f = ps.funding[m]
    if (f) {
      w.int(f.cum, 16)
      w.opt(f.epoch, 8)
      w.int(f.rate, 16)
    }
    const history = ps.fundingHistory[m]!
    w.num(history.length, 2)
    for (const e of history) {
      w.uint(e.epoch, 8)
      w.uint(e.intervals, 8)
      w.int(e.rate, 16)
      w.int(e.cum, 16)
      w.uint(e.mark, 8)
      w.uint(e.index, 8)
      w.int(e.openInterest, 16)
      w.int(e.paid, 16)
    }
  }
  for (const pos of ps.positions) {
    w.num(pos ? 1 : 0, 1)
    if (!pos) continue
    w.int(pos.size, 16)
    w.int(pos.cost, 16)
    w.int(pos.fundingSnap, 16)
    w.int(pos.realized, 16)
    w.int(pos.fundingPaid, 16)
  }
}

/** Reads what writePerps wrote into the fresh perps state of the same channel. */
export function readPerps(r: Reader, ps: PerpsState): void {
  for (let p = 0; p < ps.P; p++) ps.margin[p] = r.int(16)
  ps.insurance = r.int(16)
  ps.collateral = r.int(16)
  for (let m = 0; m < ps.M; m++) {
    ps.oracle[m] = r.opt(8)
    ps.lastTrade[m] = r.opt(8)
    // The state root holds a perp market's price and last trade with "none" written as 0, and nothing of a spot
    // market's: so only what the fold can make decodes (a price and a trade are never 0, a spot market has neither,
    // nor a funding history), or a snapshot could differ from the checkpoint's state and still match its root.
    if (ps.isPerp(m)) r.check(ps.oracle[m] !== 0n && ps.lastTrade[m] !== 0n, 'zero price on a perp market')
    else r.check(ps.oracle[m] === undefined && ps.lastTrade[m] === undefined, 'price on a spot market')
    if (ps.funding[m]) ps.funding[m] = { cum: r.int(16), epoch: r.opt(8), rate: r.int(16) }
    const n = r.num(2)
    r.check(n === 0 || ps.isPerp(m), 'funding history on a spot market')
    const history: FundingEvent[] = []
    for (let k = 0; k < n; k++)
      history.push({
        epoch: r.uint(8),
        intervals: r.uint(8),
        rate: r.int(16),
        cum: r.int(16),
        mark: r.uint(8),
        index: r.uint(8),
        openInterest: r.int(16),
        paid: r.int(16),
      })
    ps.fundingHistory[m] = history
  }
  for (let i = 0; i < ps.positions.length; i++) {
    const present = r.num(1)
    r.check(present <= 1, 'bad position flag')
    if (present === 0) continue
    const pos: Position = {
      size: r.int(16),
      cost: r.int(16),
      fundingSnap: r.int(16),
      realized: r.int(16),
      fundingPaid: r.int(16),
    }
    r.check(ps.isPerp(i % ps.M), 'position in a market that is not a perp')
    ps.positions[i] = pos
  }
}
