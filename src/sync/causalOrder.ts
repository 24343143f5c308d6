import { type Hex, toHex } from '../core/bytes.ts'

/** A Y.Map key that can name a block: 0x + 64 lowercase hex digits, the form `toHex` produces. */
export const BLOCK_KEY = /^0x[0-9a-f]{64}$/

// wire offsets (see src/core/block.ts, format 2): format ‖ channelId[32] ‖ author[20] ‖ u64 seq ‖ u64 round
// ‖ u64 time ‖ prev[32] ‖ u16 n ‖ parents
const PREV = 1 + 32 + 20 + 8 + 8 + 8
const N_PARENTS = PREV + 32
const PARENTS = N_PARENTS + 2

/**
 * The ids a block's bytes claim to depend on (prev when non-zero, then parents), read from fixed offsets with
 * bounds checks and no validation. Only an ordering hint: the replica validates everything afterwards.
 */
export function claimedDeps(bytes: Uint8Array): Hex[] {
  if (bytes.length < PARENTS) return []
  const deps: Hex[] = []
  const prev = bytes.subarray(PREV, PREV + 32)
  if (prev.some((b) => b !== 0)) deps.push(toHex(prev))
  const n = (bytes[N_PARENTS]! << 8) | bytes[N_PARENTS + 1]!
  if (PARENTS + 32 * n > bytes.length) return deps
  for (let i = 0; i < n; i++) deps.push(toHex(bytes.subarray(PARENTS + 32 * i, PARENTS + 32 * (i + 1))))
  return deps
}

/**
 * Orders entries so that an entry comes after the entries (of this list) whose keys its bytes claim as
 * ancestors; otherwise keeps the input order. Feeding a replica in this order keeps its per-author pending
 * buffer empty when a whole history arrives at once (a Y.Doc loaded from storage or a peer's full state).
 * Keys are claims too: a lie only costs the liar's own entries their place in the order.
 */
export function causalOrder<T extends { key: string; bytes: Uint8Array }>(entries: readonly T[]): T[] {
  if (entries.length < 2) return entries.slice()
  const index = new Map<string, number>()
  entries.forEach((e, i) => {
    if (!index.has(e.key)) index.set(e.key, i)
  })
  const waitingOn = new Int32Array(entries.length)
  const dependants: number[][] = entries.map(() => [])
  entries.forEach((e, i) => {
    for (const d of new Set(claimedDeps(e.bytes))) {
      const j = index.get(d)
      if (j === undefined || j === i) continue
      waitingOn[i]!++
      dependants[j]!.push(i)
    }
  })
  const out: T[] = []
  const done = new Uint8Array(entries.length)
  const visit = (start: number) => {
    const stack = [start]
    while (stack.length > 0) {
      const i = stack.pop()!
      if (done[i]) continue
      done[i] = 1
      out.push(entries[i]!)
      // push in reverse so dependants come out in input order
      const ds = dependants[i]!
      for (let k = ds.length - 1; k >= 0; k--) {
        const j = ds[k]!
        if (--waitingOn[j]! === 0) stack.push(j)
      }
    }
  }
  for (let i = 0; i < entries.length; i++) if (waitingOn[i] === 0) visit(i)
  // cycles (only lies make them): append what is left in input order
  for (let i = 0; i < entries.length; i++) if (!done[i]) out.push(entries[i]!)
  return out
}
