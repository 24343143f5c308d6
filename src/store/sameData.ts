/**
 * Structural equality of plain snapshot data: primitives (bigint included), arrays, Uint8Arrays, Maps, Sets and
 * objects compared key by key. What `reuseUnchanged` needs to tell a snapshot field that was rebuilt with the same
 * content from one that changed; not meant for cyclic data.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  if (Array.isArray(a)) {
    const y = b as unknown[]
    if (a.length !== y.length) return false
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], y[i])) return false
    return true
  }
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array
    if (a.length !== y.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== y[i]) return false
    return true
  }
  if (a instanceof Map) {
    const y = b as Map<unknown, unknown>
    if (a.size !== y.size) return false
    for (const [k, v] of a) if (!y.has(k) || !sameData(v, y.get(k))) return false
    return true
  }
  if (a instanceof Set) {
    const y = b as Set<unknown>
    if (a.size !== y.size) return false
    for (const k of a) if (!y.has(k)) return false
    return true
  }
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  const keys = Object.keys(x)
  if (keys.length !== Object.keys(y).length) return false
  for (const k of keys) if (!Object.hasOwn(y, k) || !sameData(x[k], y[k])) return false
  return true
}

/**
 * `next` with every top-level field that holds the same data as in `prev` replaced by `prev`'s object, so a
 * component selecting that field sees the identical value and does not render again (zustand compares selections
 * with Object.is). Returns `prev` itself when nothing changed.
 */
export function reuseUnchanged<T extends object>(prev: T, next: T): T {
  const out = { ...next }
  let changed = false
  for (const k of Object.keys(next) as (keyof T)[]) {
    if (sameData(prev[k], next[k])) out[k] = prev[k]
    else changed = true
  }
  return changed || Object.keys(prev).length !== Object.keys(next).length ? out : prev
}
