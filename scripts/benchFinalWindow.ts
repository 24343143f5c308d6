/**
 * What the final window costs a checkpoint (src/core/finalWindow.ts): the root of a full window (2D + 1 rounds of n
 * final blocks, D = 64) for n = 5, 10, 100, median of 15. Prints JSON as its last line.
 *   npm run bench:window
 */
import { FinalWindow, finalWindowRounds } from '../src/core/finalWindow.ts'
import { keccak256 } from '../src/core/hash.ts'
import { REF_DEPTH } from '../src/core/refDepth.ts'

const span = finalWindowRounds(REF_DEPTH)
const rows = [5, 10, 100].map((n) => {
  const w = new FinalWindow(span)
  const top = 2 * span
  for (let r = 0; r <= top; r++)
    for (let a = 0; a < n; a++) w.add(r, keccak256(new Uint8Array([r & 255, r >> 8, a])))
  const tips = Array.from({ length: n }, (_, a) => keccak256(new Uint8Array([a, 1])))
  const times: number[] = []
  for (let i = 0; i < 15; i++) {
    const t = performance.now()
    w.root(top, tips)
    times.push(performance.now() - t)
  }
  times.sort((x, y) => x - y)
  return { participants: n, ids: (span + 1) * n, rootMsP50: Number(times[7]!.toFixed(2)) }
})
for (const r of rows) console.log(`n=${r.participants}: ${r.ids} ids, root ${r.rootMsP50} ms (p50 of 15)`)
console.log(JSON.stringify({ span, rows }))
