import { uintToBytes } from '../bytes.ts'
import type { LendingState } from './engine.ts'

/**
 * The lending pool's part of the state root, in a fixed order: per lendable token its pool, then every non-zero
 * (account, shares, scaled debt); then the spot markets' oracle prices and last trades. Equal bytes, equal pools.
 */
export function lendingRootBytes(ls: LendingState): Uint8Array {
  const parts: Uint8Array[] = [new TextEncoder().encode('L|')]
  const u = (v: bigint, n = 32) => parts.push(uintToBytes(v, n))
  for (const t of ls.lendable) {
    const p = ls.pools[t]!
    u(BigInt(t), 2)
    u(p.cash)
    u(p.totalShares)
    u(p.totalScaled)
    u(p.borrowIndex)
    u(p.reserve)
    u(p.badDebt)
    u(p.epoch === undefined ? 0n : p.epoch + 1n, 9)
    for (let a = 0; a < ls.P; a++) {
      const i = a * ls.T + t
      if (ls.shares[i] === 0n && ls.scaled[i] === 0n) continue
      u(BigInt(a), 2)
      u(ls.shares[i]!)
      u(ls.scaled[i]!)
    }
    u(0xffffn, 2)
  }
  for (let m = 0; m < ls.M; m++) {
    u(ls.spotOracle[m] ?? 0n, 8)
    u(ls.spotLastTrade[m] ?? 0n, 8)
  }
  let size = 0
  for (const x of parts) size += x.length
  const out = new Uint8Array(size)
  let o = 0
  for (const x of parts) {
    out.set(x, o)
    o += x.length
  }
  return out
}
