import type { Node } from './dagNode.ts'

/**
 * The channel clock at a committed leader: the median (lower median for an even count) of the times of the
 * round − 1 blocks it references, one per author, never below the previous commit's time. With fewer than half
 * of those blocks by liars, the median lies between honest timestamps.
 */
export function leaderTime(leader: Node, previous: bigint): bigint {
  const times: bigint[] = []
  const seen = new Set<number>()
  for (const r of leader.refs)
    if (r.round === leader.round - 1 && !seen.has(r.author)) {
      seen.add(r.author)
      times.push(r.block.time)
    }
  if (times.length === 0) return previous
  times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const m = times[(times.length - 1) >> 1]!
  return m > previous ? m : previous
}
