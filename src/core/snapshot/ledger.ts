import { StakeState } from '../stake.ts'
import type { ChannelState, Lock } from '../state.ts'
import type { Reader, Writer } from './bytesIO.ts'

/**
 * The ledger part of a state snapshot: the four balance buckets of every (participant, token), deposit and forced
 * attestations not yet credited (by index, ascending), who may trade under minStake, locks (by key, ascending) and
 * the counters the fold continues from (placed orders, trades), who is proven to fork (a bitmask). Attester counts are not stored: they are the
 * number of bits in `by`.
 */
export function writeLedger(w: Writer, s: ChannelState): void {
  for (const bucket of [s.avail, s.locked, s.reserved, s.pendingWithdrawal])
    for (const v of bucket) w.uint(v, 16)
  w.uint(s.depositCount, 8)
  const deposits = [...s.attestations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  w.num(deposits.length, 4)
  for (const [index, list] of deposits) {
    w.uint(index, 8)
    w.num(list.length, 2)
    for (const a of list) {
      w.num(a.record.participant, 2)
      w.num(a.record.token, 2)
      w.uint(a.record.amount, 16)
      w.uint(a.by, 32)
    }
  }
  w.uint(s.forcedCount, 8)
  const forced = [...s.forcedAttestations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  w.num(forced.length, 4)
  for (const [index, list] of forced) {
    w.uint(index, 8)
    w.num(list.length, 2)
    for (const a of list) {
      w.num(a.participant, 2)
      w.num(a.op.length, 2)
      w.bytes(a.op)
      w.uint(a.by, 32)
    }
  }
  for (const a of s.stake.entries()) {
    if (a === null) w.num(0xffff, 2)
    else {
      w.num(a.length, 2)
      for (const x of a) w.num(x, 2)
    }
  }
  const locks = [...s.locks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  w.num(locks.length, 4)
  for (const [key, l] of locks) {
    w.str(key)
    w.num(l.owner, 2)
    w.num(l.token, 2)
    w.uint(l.amount, 16)
    w.uint(l.until, 8)
    w.num(l.reason, 1)
  }
  for (const n of s.openOrders) w.num(n, 4)
  w.num(s.placed, 6)
  w.num(s.tradeCount, 6)
  w.uint(s.proven, 32)
}

const popcount = (x: bigint): number => {
  let n = 0
  for (let v = x; v > 0n; v >>= 1n) if (v & 1n) n++
  return n
}

/** Reads what writeLedger wrote into a fresh state of the same channel. */
export function readLedger(r: Reader, s: ChannelState): void {
  const n = s.P * s.T
  for (const bucket of [s.avail, s.locked, s.reserved, s.pendingWithdrawal])
    for (let i = 0; i < n; i++) bucket[i] = r.uint(16)
  s.depositCount = r.uint(8)
  const deposits = r.num(4)
  for (let k = 0; k < deposits; k++) {
    const index = r.uint(8)
    const len = r.num(2)
    const list = []
    for (let j = 0; j < len; j++) {
      const participant = r.num(2)
      const token = r.num(2)
      const amount = r.uint(16)
      const by = r.uint(32)
      r.check(participant < s.P && token < s.T && by > 0n, 'deposit attestation out of range')
      list.push({ record: { index, participant, token, amount }, by, count: popcount(by) })
    }
    s.attestations.set(index, list)
  }
  s.forcedCount = r.uint(8)
  const forced = r.num(4)
  for (let k = 0; k < forced; k++) {
    const index = r.uint(8)
    const len = r.num(2)
    const list = []
    for (let j = 0; j < len; j++) {
      const participant = r.num(2)
      const op = r.bytes(r.num(2))
      const by = r.uint(32)
      r.check(participant < s.P && by > 0n, 'forced attestation out of range')
      list.push({ participant, op, by, count: popcount(by) })
    }
    s.forcedAttestations.set(index, list)
  }
  const entries: (number[] | null)[] = []
  for (let p = 0; p < s.P; p++) {
    const len = r.num(2)
    if (len === 0xffff) entries.push(null)
    else {
      const list: number[] = []
      for (let j = 0; j < len; j++) list.push(r.num(2))
      r.check(
        list.every((x) => x < s.P),
        'stake attester out of range',
      )
      entries.push(list)
    }
  }
  s.stake = StakeState.fromEntries(s.stake.required, s.quorum, entries)
  const locks = r.num(4)
  for (let k = 0; k < locks; k++) {
    const key = r.str()
    const lock: Lock = {
      owner: r.num(2),
      token: r.num(2),
      amount: r.uint(16),
      until: r.uint(8),
      reason: r.num(1),
    }
    r.check(lock.owner < s.P && lock.token < s.T, 'lock out of range')
    // the root holds the key, not the owner (whom an unlock credits): the fold makes the key `${owner}:seq:index`
    r.check(key.startsWith(`${lock.owner}:`), 'lock owner differs from its key')
    s.locks.set(key, lock)
  }
  for (let p = 0; p < s.P; p++) s.openOrders[p] = r.num(4)
  s.placed = r.num(6)
  s.tradeCount = r.num(6)
  s.proven = r.uint(32)
  r.check(s.proven < 1n << BigInt(s.P), 'proven fork of no participant')
}
