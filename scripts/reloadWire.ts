/** JSON with bigints tagged, for handing bench inputs from Node to a page (page.evaluate takes plain JSON). */
export function toWire(v: unknown): string {
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? { $n: x.toString() } : x))
}

export function fromWire(s: string): unknown {
  return JSON.parse(s, (_, x) => (x && typeof x === 'object' && typeof x.$n === 'string' ? BigInt(x.$n) : x))
}
