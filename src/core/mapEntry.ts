/** Removes `x` from the list at `key`, and the key once its list is empty. */
export function dropFrom<K, V>(map: Map<K, V[]>, key: K, x: V): void {
  const list = map.get(key)
  if (!list) return
  const rest = list.filter((y) => y !== x)
  if (rest.length === 0) map.delete(key)
  else map.set(key, rest)
}

/** The map's value at `key`, created by `make` when absent. */
export function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key)
  if (v === undefined) {
    v = make()
    map.set(key, v)
  }
  return v
}
