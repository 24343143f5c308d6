import { describe, expect, it } from 'vitest'
import { toHex } from './bytes.ts'
import { FinalWindow, finalWindowRoot, type WindowEntry } from './finalWindow.ts'
import { keccak256 } from './hash.ts'
import { Rng } from './sim/rng.ts'

const id = (k: number) => keccak256(new Uint8Array([k & 255, k >> 8]))
const entries = (rounds: number, perRound: number): WindowEntry[] =>
  Array.from({ length: rounds * perRound }, (_, k) => ({ round: Math.floor(k / perRound), id: id(k) }))

describe('the final window (finalWindow.ts)', () => {
  it('has one root for one set, in whatever order its blocks became final', () => {
    const all = entries(40, 4)
    const rng = new Rng(5)
    const roots = new Set<string>()
    for (let t = 0; t < 5; t++) {
      const shuffled = all.slice()
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(0, i + 1)
        ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
      }
      const w = new FinalWindow(10)
      for (const e of shuffled) w.add(e.round, e.id)
      roots.add(toHex(w.root(39, [])))
    }
    expect(roots.size).toBe(1)
    expect([...roots][0]).toBe(toHex(finalWindowRoot(all, 29, [])))
  })

  it('covers exactly the rounds ≥ leader round − span: one block more, less or other inside changes the root', () => {
    const all = entries(40, 4)
    const base = toHex(finalWindowRoot(all, 29, []))
    // below the window: no difference
    expect(toHex(finalWindowRoot([...all, { round: 28, id: id(9999) }], 29, []))).toBe(base)
    expect(toHex(finalWindowRoot(all.slice(1), 29, []))).toBe(base)
    // inside: any difference shows
    expect(toHex(finalWindowRoot([...all, { round: 29, id: id(9999) }], 29, []))).not.toBe(base)
    expect(toHex(finalWindowRoot(all.slice(0, -1), 29, []))).not.toBe(base)
    const swapped = all.map((e) =>
      e.round === 35 && toHex(e.id) === toHex(id(140)) ? { ...e, id: id(9998) } : e,
    )
    expect(toHex(finalWindowRoot(swapped, 29, []))).not.toBe(base)
    // the same id in another round is another window
    const moved = all.map((e, k) => (k === all.length - 1 ? { ...e, round: 38 } : e))
    expect(toHex(finalWindowRoot(moved, 29, []))).not.toBe(base)
  })

  it('forgets rounds as leaders advance and a restored window continues like the live one', () => {
    const live = new FinalWindow(10)
    const all = entries(80, 3)
    for (const e of all.slice(0, 150)) live.add(e.round, e.id)
    const at49 = live.root(49, [])
    // restored from the stubs of a base taken at a leader of round 49 (every final block it holds)
    const restored = new FinalWindow(10)
    restored.restore(all.slice(0, 150), 49)
    expect(toHex(restored.root(49, []))).toBe(toHex(at49))
    for (const e of all.slice(150)) {
      live.add(e.round, e.id)
      restored.add(e.round, e.id)
    }
    expect(toHex(restored.root(79, []))).toBe(toHex(live.root(79, [])))
    expect(toHex(live.root(79, []))).toBe(toHex(finalWindowRoot(all, 69, [])))
    // a late block below the window of the newest leader is not counted
    live.add(60, id(7777))
    expect(toHex(live.root(79, []))).toBe(toHex(finalWindowRoot(all, 69, [])))
  })
})
